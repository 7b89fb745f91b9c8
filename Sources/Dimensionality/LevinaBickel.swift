import EstimatorVocabulary
import Foundation

/// The Levina–Bickel maximum-likelihood estimator on k nearest neighbours.
///
/// ```
/// d̂ᵢ = (k − 1) / Σ_{j=1}^{k} log(R_k(i) / R_j(i))
/// mean:      d̂ = (1/N) Σᵢ d̂ᵢ                   (Levina & Bickel 2005)
/// harmonic:  d̂ = 1 / ((1/N) Σᵢ 1/d̂ᵢ)           (MacKay & Ghahramani 2005)
/// ```
/// R_j(i) is the distance from point i to its j-th nearest neighbour (self excluded). The
/// pointwise form with k − 1 in the numerator is scikit-dimension 0.5's `MLE` (`n_neighbors=k`;
/// its default `comb='mle'` is the harmonic mean, `comb='mean'` the arithmetic one). Points with
/// R₁ = 0 (an exact duplicate) or R₁ = R_k (all k neighbours equidistant, d̂ᵢ infinite) are
/// dropped and counted. Levina & Bickel, NIPS 2004 ("Maximum likelihood estimation of intrinsic
/// dimension"); MacKay & Ghahramani, comment, 2005.
public enum LevinaBickel {
    public static let name = "mle"

    /// How the pointwise estimates are combined.
    public enum Average: String, CaseIterable, Sendable, Codable {
        case harmonic
        case mean
    }

    public struct Settings: Sendable, Equatable {
        /// Neighbours per point (k ≥ 2).
        public var k: Int
        public var average: Average

        public init(k: Int = EstimatorCatalog.MLE.k.defaultValue, average: Average = .harmonic) {
            self.k = k
            self.average = average
        }

        public var flavour: String {
            let combine = average == .harmonic
                ? "harmonic mean 1/mean(1/d_i) (MacKay–Ghahramani; skdim MLE default)"
                : "arithmetic mean of d_i (Levina–Bickel; skdim MLE comb='mean')"
            return "Levina–Bickel MLE, k = \(k): pointwise d_i = (k−1)/Σ_j log(R_k/R_j), \(combine)"
        }
    }

    /// The pointwise estimates d̂ᵢ of a neighbour graph read at its first `k` neighbours, and the
    /// points dropped.
    public static func pointwise(_ graph: NeighborGraph, k: Int) -> (values: [Double], duplicates: Int, ties: Int) {
        precondition(k >= 2 && k <= graph.k, "[mle] k = \(k) must be in 2...\(graph.k)")
        var values = [Double]()
        values.reserveCapacity(graph.count)
        var duplicates = 0, ties = 0
        for i in 0..<graph.count {
            let base = i * graph.k
            let r1 = graph.distances[base], rk = graph.distances[base + k - 1]
            if r1 == 0 {
                duplicates += 1
                continue
            }
            if rk == r1 {
                ties += 1
                continue
            }
            let logRk = log(rk)
            var s = 0.0
            for j in 0..<(k - 1) { s += logRk - log(graph.distances[base + j]) }
            values.append(Double(k - 1) / s)
        }
        return (values, duplicates, ties)
    }

    /// The combined estimate of pointwise values.
    public static func combine(_ values: [Double], average: Average) throws -> Double {
        guard !values.isEmpty else {
            throw EstimatorError.degenerate(estimator: name, reason: "no point has distinct neighbour distances (all duplicates or ties)")
        }
        let n = Double(values.count)
        switch average {
        case .mean: return values.reduce(0, +) / n
        case .harmonic: return n / values.reduce(0) { $0 + 1 / $1 }
        }
    }
}
