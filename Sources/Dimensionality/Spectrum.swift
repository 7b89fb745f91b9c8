import CBLAS
import EstimatorVocabulary

/// A rule that reads a dimension off a covariance spectrum λ₁ ≥ λ₂ ≥ … ≥ 0.
public enum SpectrumRule: Sendable, Equatable {
    /// The fewest leading components whose variance reaches the fraction f:
    /// ```
    /// m = 1 + #{ i : (λ₁ + … + λᵢ) / Σλ < f }
    /// ```
    /// (skdim `lPCA(ver='ratio', alphaRatio=f)`; Cangelosi & Goriely 2007).
    case variance(Double)
    /// The number of eigenvalues above a fraction α of the largest, `#{ i : λᵢ > α·λ₁ }`
    /// (Fukunaga & Olsen 1971; skdim `lPCA(ver='FO', alphaFO=α)`, default α = 0.05).
    case fukunagaOlsen(Double)

    /// The rule used unless told otherwise: the default variance fraction.
    public static let `default` = SpectrumRule.variance(EstimatorCatalog.Spectrum.variance.defaultValue)

    /// The dimension of a spectrum in descending order with a positive sum.
    public func components(_ eigenvalues: [Double]) -> Int {
        precondition(!eigenvalues.isEmpty, "[SpectrumRule] empty spectrum")
        switch self {
        case .variance(let f):
            let total = eigenvalues.reduce(0, +)
            var cumulative = 0.0, below = 0
            for v in eigenvalues {
                cumulative += v
                if cumulative / total < f { below += 1 }
            }
            return Swift.min(below + 1, eigenvalues.count)
        case .fukunagaOlsen(let alpha):
            let top = eigenvalues[0]
            return eigenvalues.reduce(0) { $0 + ($1 > alpha * top ? 1 : 0) }
        }
    }

    /// The rule in words.
    public var description: String {
        switch self {
        case .variance(let f): return "components explaining \(formatNumber(f * 100))% of the variance"
        case .fukunagaOlsen(let a): return "eigenvalues above \(formatNumber(a))·λ_max (Fukunaga–Olsen)"
        }
    }
}

/// Covariance spectra through LAPACK.
enum Spectrum {
    /// The eigenvalues, descending and clamped at 0, of the sample covariance `X̃ᵀX̃/(n−1)` of the
    /// already-centred Float64 rows `x` (n × d). When n < d the Gram matrix `X̃X̃ᵀ/(n−1)` is used:
    /// it has the same non-zero eigenvalues. Eigenvalues by LAPACK `dsyevd` (divide and conquer).
    ///
    /// - Complexity: O(n·d·min(n, d) + min(n, d)³).
    static func covarianceEigenvalues(centred x: UnsafeBufferPointer<Double>, n: Int, d: Int,
                                      estimator: String) throws -> [Double] {
        precondition(x.count == n * d && n >= 2 && d >= 1, "[\(estimator)] spectrum of \(n) × \(d) rows from \(x.count) values")
        let side = Swift.min(n, d)
        var c = [Double](repeating: 0, count: side * side)
        c.withUnsafeMutableBufferPointer { pc in
            let scale = 1 / Double(n - 1)
            if n >= d {
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), scale,
                            x.baseAddress, Int32(d), 0, pc.baseAddress, Int32(d))
            } else {
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), scale,
                            x.baseAddress, Int32(d), 0, pc.baseAddress, Int32(n))
            }
        }
        return try symmetricEigenvalues(&c, n: side, estimator: estimator)
    }

    /// The eigenvalues of the symmetric `n × n` row-major matrix whose upper triangle is in `a`,
    /// descending, negative round-off clamped to 0. `a` is overwritten.
    ///
    /// - Complexity: O(n³).
    static func symmetricEigenvalues(_ a: inout [Double], n: Int, estimator: String) throws -> [Double] {
        var w = [Double](repeating: 0, count: n)
        let info = a.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")),
                               Int32(n), pa.baseAddress, Int32(n), pw.baseAddress)
            }
        }
        guard info == 0 else {
            throw EstimatorError.degenerate(estimator: estimator, reason: "the eigenvalue solver (LAPACK dsyevd) failed with info = \(info)")
        }
        return w.reversed().map { Swift.max($0, 0) }
    }
}
