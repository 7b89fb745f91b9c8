import Tensors

/// Small dense linear algebra for checking point sets: covariance, participation ratio,
/// eigenvalues and numerical rank. Kept here because Datasets must not depend on Dimensionality.
enum Geometry {
    /// The population covariance of the rows of `x` (`[n, D]`), as a D×D row-major array.
    static func covariance(_ x: DoubleTensor) -> [Double] {
        let n = x.rows, D = x.columns
        var mean = [Double](repeating: 0, count: D)
        for i in 0..<n { for t in 0..<D { mean[t] += x.scalars[i * D + t] } }
        for t in 0..<D { mean[t] /= Double(n) }
        var c = [Double](repeating: 0, count: D * D)
        var row = [Double](repeating: 0, count: D)
        for i in 0..<n {
            for t in 0..<D { row[t] = x.scalars[i * D + t] - mean[t] }
            for a in 0..<D { for b in a..<D { c[a * D + b] += row[a] * row[b] } }
        }
        for a in 0..<D { for b in a..<D { c[a * D + b] /= Double(n); c[b * D + a] = c[a * D + b] } }
        return c
    }

    /// `PR = (tr C)² / tr(C²) = (Σλ)² / Σλ²` of the covariance of the rows of `x`.
    static func participationRatio(_ x: DoubleTensor) -> Double {
        let c = covariance(x)
        let D = x.columns
        let trace = (0..<D).reduce(0.0) { $0 + c[$1 * D + $1] }
        let frobenius2 = c.reduce(0.0) { $0 + $1 * $1 }
        return trace * trace / frobenius2
    }

    /// Eigenvalues of a symmetric D×D matrix by cyclic Jacobi rotations, descending.
    static func eigenvalues(_ matrix: [Double], size D: Int) -> [Double] {
        var a = matrix
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<D { for q in (p + 1)..<D { off += a[p * D + q] * a[p * D + q] } }
            if off < 1e-30 { break }
            for p in 0..<D {
                for q in (p + 1)..<D where abs(a[p * D + q]) > 1e-300 {
                    let theta = (a[q * D + q] - a[p * D + p]) / (2 * a[p * D + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<D {
                        let akp = a[k * D + p], akq = a[k * D + q]
                        a[k * D + p] = c * akp - s * akq
                        a[k * D + q] = s * akp + c * akq
                    }
                    for k in 0..<D {
                        let apk = a[p * D + k], aqk = a[q * D + k]
                        a[p * D + k] = c * apk - s * aqk
                        a[q * D + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<D).map { a[$0 * D + $0] }.sorted(by: >)
    }

    /// The number of covariance eigenvalues above `relative` times the largest.
    static func numericalRank(_ x: DoubleTensor, relative: Double = 1e-9) -> Int {
        let lambda = eigenvalues(covariance(x), size: x.columns)
        guard let top = lambda.first, top > 0 else { return 0 }
        return lambda.filter { $0 > relative * top }.count
    }

    /// Euclidean distance between rows `i` and `j` of `x`.
    static func distance(_ x: DoubleTensor, _ i: Int, _ j: Int) -> Double {
        let D = x.columns
        var s = 0.0
        for t in 0..<D { let d = x.scalars[i * D + t] - x.scalars[j * D + t]; s += d * d }
        return s.squareRoot()
    }

    /// Euclidean norm of row `i` of `x`.
    static func norm(_ x: DoubleTensor, _ i: Int) -> Double {
        let D = x.columns
        return (0..<D).reduce(0.0) { $0 + x.scalars[i * D + $1] * x.scalars[i * D + $1] }.squareRoot()
    }
}
