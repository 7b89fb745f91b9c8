import AccordionTestSupport
import Foundation
import Tensors
@testable import Dimensionality

/// Point sets and reference computations shared by the estimator tests.
enum TestData {
    /// `reference/<name>.npy` as Float64.
    static func reference(_ name: String) throws -> DoubleTensor {
        try NPY.readDouble(TestSupport.fixture("reference/\(name).npy"))
    }

    /// Uniform points in the d-cube, embedded isometrically in D dimensions by a random rotation.
    static func embeddedCube(n: Int, d: Int, ambient: Int, seed: UInt64) -> DoubleTensor {
        var rng = RandomStream(seed: seed, path: "cube")
        let q = orthogonal(ambient, seed: seed)
        var x = DoubleTensor(shape: [n, ambient])
        for i in 0..<n {
            let u = (0..<d).map { _ in rng.uniform() }
            for c in 0..<ambient {
                var s = 0.0
                for a in 0..<d { s += u[a] * q[a * ambient + c] }
                x[i, c] = s
            }
        }
        return x
    }

    /// A random orthogonal n × n matrix (row-major): Gram–Schmidt, twice, on Gaussian rows.
    static func orthogonal(_ n: Int, seed: UInt64) -> [Double] {
        var rng = RandomStream(seed: seed, path: "orthogonal")
        var q = (0..<(n * n)).map { _ in rng.normal() }
        for _ in 0..<2 {
            for r in 0..<n {
                for p in 0..<r {
                    var dot = 0.0
                    for c in 0..<n { dot += q[r * n + c] * q[p * n + c] }
                    for c in 0..<n { q[r * n + c] -= dot * q[p * n + c] }
                }
                var norm = 0.0
                for c in 0..<n { norm += q[r * n + c] * q[r * n + c] }
                for c in 0..<n { q[r * n + c] /= norm.squareRoot() }
            }
        }
        return q
    }

    /// `x · Qᵀ + shift`, scaled by `scale`: a rigid motion and a global rescaling of the rows.
    static func transformed(_ x: DoubleTensor, rotation q: [Double]?, shift: Double = 0, scale: Double = 1) -> DoubleTensor {
        let n = x.rows, d = x.columns
        var y = DoubleTensor(shape: [n, d])
        for i in 0..<n {
            for c in 0..<d {
                var s = 0.0
                if let q {
                    for a in 0..<d { s += x[i, a] * q[c * d + a] }
                } else {
                    s = x[i, c]
                }
                y[i, c] = (s + shift * Double(c % 7 + 1)) * scale
            }
        }
        return y
    }

    /// Exact neighbours by sorting all Float64 distances: ties broken by the smaller index.
    ///
    /// The distances come from the engine's own Float64 difference sum, so the comparison tests
    /// the selection bit for bit; `naiveDistance` checks that sum independently.
    static func bruteForce(_ x: DoubleTensor, k: Int) -> (distances: [Double], indices: [Int32]) {
        let n = x.rows
        let rows = PointRows(x)
        var dist = [Double](), idx = [Int32]()
        for i in 0..<n {
            var all: [(Double, Int)] = []
            for j in 0..<n where j != i {
                all.append((rows.squaredDistance(i, j).squareRoot(), j))
            }
            all.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (v, j) in all.prefix(k) { dist.append(v); idx.append(Int32(j)) }
        }
        return (dist, idx)
    }

    /// `‖xᵢ − xⱼ‖` by the textbook loop.
    static func naiveDistance(_ x: DoubleTensor, _ i: Int, _ j: Int) -> Double {
        var s = 0.0
        for c in 0..<x.columns { let t = x[i, c] - x[j, c]; s += t * t }
        return s.squareRoot()
    }

    /// `spec` with one more setting appended (`twonn` → `twonn:seed=1`, `mle:k=5` → `mle:k=5,seed=1`).
    static func spec(_ spec: String, _ extra: String) -> String {
        spec + (spec.contains(":") ? "," : ":") + extra
    }

    /// Random Gaussian points with some rows copied exactly (duplicates) and some placed on
    /// integer lattice sites (equal distances).
    static func withDuplicatesAndTies(n: Int, d: Int, seed: UInt64) -> DoubleTensor {
        var rng = RandomStream(seed: seed, path: "dups")
        var x: DoubleTensor = rng.normalTensor(shape: [n, d])
        for i in stride(from: 3, to: n, by: 7) {
            let from = Int(rng.next() % UInt64(i))
            for c in 0..<d { x[i, c] = x[from, c] }
        }
        for i in stride(from: 5, to: n, by: 11) {
            for c in 0..<d { x[i, c] = Double(Int(rng.next() % 3)) }
        }
        return x
    }
}
