import Tensors

/// A uniformly random linear isometry from R^k into R^D (k ≤ D): the map used to place a
/// synthetic manifold in a higher-dimensional ambient space without changing its geometry.
///
/// ```
/// G ∈ R^{D×k}, G_ij ~ N(0, 1);   G = Q R,  diag(R) > 0;   y = x Qᵀ   (x ∈ R^k, y ∈ R^D as rows)
/// ```
/// Fixing the signs so that `diag(R) > 0` makes the QR factor unique and `Q` Haar-distributed
/// on the Stiefel manifold (Mezzadri, "How to generate random matrices from the classical
/// compact groups", Notices AMS 54, 2007). Rows of the returned `k × D` matrix are orthonormal,
/// so `‖x Qᵀ − x′ Qᵀ‖ = ‖x − x′‖` for all `x, x′ ∈ R^k`.
public enum RandomIsometry {
    /// The `k × D` matrix `Qᵀ` with orthonormal rows, drawn from `rng`.
    ///
    /// The factorisation is classical Gram–Schmidt with one re-orthogonalisation pass (CGS2,
    /// Giraud et al. 2005), which is accurate to working precision and produces the `diag(R) > 0`
    /// factor directly.
    ///
    /// - Complexity: O(D·k²).
    public static func matrix(from k: Int, to D: Int, rng: inout RandomStream) -> DoubleTensor {
        precondition(k >= 1 && k <= D, "[RandomIsometry] cannot embed R^\(k) isometrically in R^\(D)")
        // Columns of G, stored as rows so every vector is contiguous.
        var q = [[Double]](repeating: [], count: k)
        for j in 0..<k {
            var v = (0..<D).map { _ in rng.normal() }
            for _ in 0..<2 {
                for i in 0..<j {
                    var r = 0.0
                    for t in 0..<D { r += q[i][t] * v[t] }
                    for t in 0..<D { v[t] -= r * q[i][t] }
                }
            }
            var norm = 0.0
            for t in 0..<D { norm += v[t] * v[t] }
            norm = norm.squareRoot()
            // A Gaussian column lies in the span of the others with probability 0.
            precondition(norm > 0, "[RandomIsometry] degenerate Gaussian draw")
            q[j] = v.map { $0 / norm }
        }
        return DoubleTensor(shape: [k, D], scalars: q.flatMap { $0 })
    }

    /// `points · Qᵀ`: rows of `points` (`[n, k]`) mapped into R^D (`[n, D]`).
    ///
    /// Plain loops with a fixed summation order rather than BLAS, so the result is the same on
    /// every machine and thread count and the data fingerprint is stable.
    ///
    /// - Complexity: O(n·k·D).
    public static func apply(_ isometry: DoubleTensor, to points: DoubleTensor) -> DoubleTensor {
        let k = isometry.rows, D = isometry.columns
        precondition(points.columns == k, "[RandomIsometry.apply] points have \(points.columns) coordinates, the map takes \(k)")
        let n = points.rows
        var out = [Double](repeating: 0, count: n * D)
        isometry.scalars.withUnsafeBufferPointer { m in
            points.scalars.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { y in
                    for i in 0..<n {
                        for a in 0..<k {
                            let c = x[i * k + a]
                            for t in 0..<D { y[i * D + t] += c * m[a * D + t] }
                        }
                    }
                }
            }
        }
        return DoubleTensor(shape: [n, D], scalars: out)
    }
}
