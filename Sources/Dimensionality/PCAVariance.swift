import EstimatorVocabulary

/// The linear dimension of a point cloud: principal components needed to explain its variance.
///
/// ```
/// C = X̃ᵀX̃ / (N − 1),   λ₁ ≥ … ≥ λ_D = eig(C)
/// m = 1 + #{ i : (λ₁ + … + λᵢ) / Σλ < f }        (rule `variance`, default f = 0.9)
/// m = #{ i : λᵢ > α λ₁ }                          (rule `fo`, Fukunaga–Olsen, default α = 0.05)
/// ```
/// X̃ are the centred points. With `standardize`, every column is also divided by its sample
/// standard deviation (N − 1), so the spectrum is that of the correlation matrix; columns with
/// zero variance carry no information and are left out (their count is reported). Without it the
/// raw covariance is used, as in skdim `lPCA`. Eigenvalues by LAPACK `dsyevd` on the Float64
/// covariance, or on the Gram matrix X̃X̃ᵀ when N < D. Jolliffe, *Principal Component Analysis*
/// (2002), §6.1.1; Fukunaga & Olsen, IEEE Trans. Computers C-20 (1971).
///
/// - Complexity: O(N·D·min(N, D) + min(N, D)³).
public enum PCAVariance {
    public static let name = "pca"

    public struct Settings: Sendable, Equatable {
        public var rule: SpectrumRule
        public var standardize: Bool

        public init(rule: SpectrumRule = .default, standardize: Bool = EstimatorCatalog.PCA.standardize.defaultValue) {
            self.rule = rule
            self.standardize = standardize
        }

        public var flavour: String {
            "global PCA: \(rule.description) of the "
                + (standardize ? "correlation matrix (standardised: columns scaled to unit variance)"
                    : "covariance matrix (not standardised)")
        }
    }

    /// The dimension, the spectrum it was read from, and the zero-variance columns left out.
    struct Outcome {
        var components: Int
        var eigenvalues: [Double]
        var constantColumns: Int
    }

    static func evaluate(_ rows: PointRows, settings: Settings) throws -> Outcome {
        let n = rows.count, d = rows.dimension
        guard n >= 2 else { throw EstimatorError.tooFewPoints(estimator: name, needed: 2, got: n) }
        var x = rows.gather(0..<n)
        var mean = [Double](repeating: 0, count: d)
        for r in 0..<n { for c in 0..<d { mean[c] += x[r * d + c] } }
        for c in 0..<d { mean[c] /= Double(n) }
        for r in 0..<n { for c in 0..<d { x[r * d + c] -= mean[c] } }
        var width = d
        var constant = 0
        if settings.standardize {
            var keep = [Int](), inverseStd = [Double]()
            for c in 0..<d {
                var s = 0.0
                for r in 0..<n { s += x[r * d + c] * x[r * d + c] }
                if s > 0 {
                    keep.append(c)
                    inverseStd.append(1 / (s / Double(n - 1)).squareRoot())
                }
            }
            constant = d - keep.count
            width = keep.count
            guard width > 0 else { throw EstimatorError.constantData(estimator: name) }
            var z = [Double](repeating: 0, count: n * width)
            for r in 0..<n { for (p, c) in keep.enumerated() { z[r * width + p] = x[r * d + c] * inverseStd[p] } }
            x = z
        }
        let values = try x.withUnsafeBufferPointer {
            try Spectrum.covarianceEigenvalues(centred: $0, n: n, d: width, estimator: name)
        }
        guard let top = values.first, top > 0 else { throw EstimatorError.constantData(estimator: name) }
        return Outcome(components: settings.rule.components(values), eigenvalues: values, constantColumns: constant)
    }
}
