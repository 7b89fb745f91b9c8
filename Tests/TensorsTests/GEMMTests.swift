import Testing
import Tensors

@Suite("GEMM through OpenBLAS")
struct GEMMTests {
    static func naive(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = ta ? a[p * m + i] : a[i * k + p]
                    let y = tb ? b[j * k + p] : b[p * n + j]
                    s += x * y
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    @Test("sgemm and dgemm match a naive triple loop for every transpose combination",
          arguments: [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 10, 784)])
    func matchesNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for ta in [false, true] {
            for tb in [false, true] {
                var rng = RandomStream(seed: 7, path: "gemm/\(m)x\(n)x\(k)/\(ta)\(tb)")
                let a: FloatTensor = rng.normalTensor(shape: ta ? [k, m] : [m, k])
                let b: FloatTensor = rng.normalTensor(shape: tb ? [n, k] : [k, n])
                let c = matmul(a, b, transposeA: ta, transposeB: tb)
                let expected = Self.naive(a.scalars.map(Double.init), b.scalars.map(Double.init), m: m, n: n, k: k, ta: ta, tb: tb)
                #expect(c.shape == [m, n])
                for (x, y) in zip(c.scalars, expected) {
                    #expect(abs(Double(x) - y) <= 1e-4 * max(1, abs(y)), "m=\(m) n=\(n) k=\(k) ta=\(ta) tb=\(tb)")
                }
                let cd = matmul(a.converted(to: Double.self), b.converted(to: Double.self), transposeA: ta, transposeB: tb)
                for (x, y) in zip(cd.scalars, expected) { #expect(abs(x - y) <= 1e-12 * max(1, abs(y))) }
            }
        }
    }

    @Test("β accumulates into the existing output")
    func betaAccumulates() {
        let a = FloatTensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let id = FloatTensor(shape: [2, 2], scalars: [1, 0, 0, 1])
        var c = FloatTensor(shape: [2, 2], scalars: [10, 10, 10, 10])
        gemm(a, id, alpha: 2, beta: 1, into: &c)
        #expect(c.scalars == [12, 14, 16, 18])
    }
}
