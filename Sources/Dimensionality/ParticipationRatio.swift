import CBLAS
import Tensors

/// The participation ratio of the covariance spectrum of a point cloud.
///
/// ```
/// PR = (Σᵢ λᵢ)² / Σᵢ λᵢ² = tr(C)² / ‖C‖²_F
/// ```
/// where λᵢ are the eigenvalues of the sample covariance `C = X̃ᵀX̃ / (N−1)` of the centred
/// points X̃ (N × D). No eigendecomposition is needed: the trace and Frobenius norm give both sums.
/// When N < D the Gram matrix X̃X̃ᵀ (same non-zero spectrum) is used instead. Accumulated in
/// Float64. Gao et al. 2017; Recanatesi et al. 2019.
///
/// - Complexity: O(N·D·min(N, D)).
public enum ParticipationRatio {
    public static let name = "pr"

    public static func estimate<E: BLASScalar>(_ points: Tensor<E>) throws -> Double {
        let n = points.rows, d = points.columns
        guard n >= 2 else { throw EstimatorError.tooFewPoints(estimator: name, needed: 2, got: n) }
        try requireFinite(points.scalars, columns: d, estimator: name)
        let x = centred(points)
        let side = min(n, d)
        var c = [Double](repeating: 0, count: side * side)
        x.withUnsafeBufferPointer { px in
            c.withUnsafeMutableBufferPointer { pc in
                if n >= d {
                    // Upper triangle of X̃ᵀX̃ (D × D).
                    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1,
                                px.baseAddress, Int32(d), 0, pc.baseAddress, Int32(d))
                } else {
                    // Upper triangle of X̃X̃ᵀ (N × N).
                    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), 1,
                                px.baseAddress, Int32(d), 0, pc.baseAddress, Int32(n))
                }
            }
        }
        var trace = 0.0, frobenius = 0.0
        for i in 0..<side {
            let diag = c[i * side + i]
            trace += diag
            frobenius += diag * diag
            for j in (i + 1)..<side { frobenius += 2 * c[i * side + j] * c[i * side + j] }
        }
        // The 1/(N−1) normalisation cancels in the ratio.
        guard trace > 0, frobenius > 0 else { throw EstimatorError.constantData(estimator: name) }
        return trace * trace / frobenius
    }

    /// The points minus their column means, in Float64.
    static func centred<E: BLASScalar>(_ points: Tensor<E>) -> [Double] {
        let n = points.rows, d = points.columns
        var mean = [Double](repeating: 0, count: d)
        var x = points.scalars.map { Double($0) }
        for r in 0..<n { for j in 0..<d { mean[j] += x[r * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        for r in 0..<n { for j in 0..<d { x[r * d + j] -= mean[j] } }
        return x
    }
}
