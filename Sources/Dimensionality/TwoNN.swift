import EstimatorVocabulary
import Foundation

/// The TwoNN intrinsic-dimension estimator from the ratio of second to first neighbour distances.
///
/// ```
/// μᵢ = r₂(i) / r₁(i),   P(μ ≤ x) = 1 − x^(−d)   ⇒   −log(1 − F(μ)) = d · log μ
/// ```
/// Three flavours read the same ratios:
/// - `linear` (default): sort μ, drop the largest fraction `discard_fraction`, and fit
///   `yᵢ = −log(1 − i/N)` against `xᵢ = log μ₍ᵢ₎` through the origin, `d = Σxy / Σx²`, over the
///   first `n = ⌊N(1 − discard)⌋` ratios (at most N − 1, where F < 1). This is skdim
///   `TwoNN()` and dadapy `compute_id_2NN(algorithm='base', mu_fraction=1−discard)`.
/// - `mle`: the censored maximum-likelihood estimate `(n − 1) / (Σ_{i≤n} log μ₍ᵢ₎ + (N − n) log μ₍ₙ₎)`,
///   treating the discarded ratios as censored (skdim `TwoNN(method='mle')`).
/// - `mle_all`: `(N − 1) / Σᵢ log μᵢ` over all ratios, ignoring `discard_fraction`
///   (dadapy `algorithm='ml'`; Denti et al. 2022).
///
/// Points with r₁ = 0 (an exact duplicate) or r₁ = r₂ (a tie, μ = 1, which has probability zero
/// under the model and signals quantised data) are dropped and counted; N above is the number of
/// ratios kept. Facco, d'Errico, Rodriguez & Laio, *Scientific Reports* 7, 12140 (2017).
public enum TwoNN {
    public static let name = "twonn"

    /// How the dimension is read off the ratios.
    public enum Method: String, CaseIterable, Sendable, Codable {
        case linear
        case mle
        case mleAll = "mle_all"
    }

    public struct Settings: Sendable, Equatable {
        /// Fraction of the largest μ left out of the fit (censored for `mle`, ignored by `mle_all`).
        public var discardFraction: Double
        public var method: Method

        public init(discardFraction: Double = EstimatorCatalog.TwoNN.discardFraction.defaultValue, method: Method = .linear) {
            self.discardFraction = discardFraction
            self.method = method
        }

        /// A one-line statement of the flavour and its settings.
        public var flavour: String {
            let pct = formatNumber(discardFraction * 100)
            switch method {
            case .linear:
                return "TwoNN linear fit through the origin of −log(1−i/N) on log μ(i), largest \(pct)% of μ discarded (skdim TwoNN default; dadapy base, mu_fraction \(formatNumber(1 - discardFraction)))"
            case .mle:
                return "TwoNN censored MLE (n−1)/(Σ_{i≤n} log μ(i) + (N−n) log μ(n)), n = ⌊N·\(formatNumber(1 - discardFraction))⌋ (skdim TwoNN method='mle')"
            case .mleAll:
                return "TwoNN MLE (N−1)/Σ log μ over all points, no discard (dadapy compute_id_2NN algorithm='ml')"
            }
        }
    }

    /// The ratios μ = r₂/r₁ of a neighbour graph with k ≥ 2, and the points dropped.
    public static func ratios(_ graph: NeighborGraph) -> (mu: [Double], duplicates: Int, ties: Int) {
        precondition(graph.k >= 2, "[twonn] needs 2 neighbours per point, graph has k = \(graph.k)")
        var mu = [Double]()
        mu.reserveCapacity(graph.count)
        var duplicates = 0, ties = 0
        for i in 0..<graph.count {
            let r1 = graph.distance(i, rank: 1), r2 = graph.distance(i, rank: 2)
            if r1 == 0 {
                duplicates += 1
            } else if r2 == r1 {
                ties += 1
            } else {
                mu.append(r2 / r1)
            }
        }
        return (mu, duplicates, ties)
    }

    /// The dimension from the ratios μ (all > 1), by the chosen method.
    ///
    /// - Complexity: O(N log N) (sorting).
    public static func fit(ratios mu: [Double], settings: Settings) throws -> Double {
        let n = mu.count
        let f = settings.discardFraction
        guard f >= 0, f < 1 else {
            throw EstimatorError.invalidSetting(estimator: name, message: "discard_fraction = \(f) must be in [0, 1)")
        }
        if settings.method == .mleAll {
            guard n >= 2 else { throw tooFew(n, needed: 2) }
            return Double(n - 1) / mu.reduce(0) { $0 + log($1) }
        }
        let sorted = mu.sorted()
        var kept = Int(Double(n) * (1 - f))
        switch settings.method {
        case .linear:
            // F = i/N reaches 1 at i = N, where −log(1 − F) is infinite.
            kept = Swift.min(kept, n - 1)
            guard kept >= 2 else { throw tooFew(n, needed: Swift.max(3, Int((2 / (1 - f)).rounded(.up)))) }
            var sxy = 0.0, sxx = 0.0
            for i in 0..<kept {
                let x = log(sorted[i])
                let y = -log(1 - Double(i + 1) / Double(n))
                sxy += x * y
                sxx += x * x
            }
            return sxy / sxx
        case .mle, .mleAll:
            guard kept >= 2 else { throw tooFew(n, needed: Int((2 / (1 - f)).rounded(.up))) }
            var sum = 0.0
            for i in 0..<kept { sum += log(sorted[i]) }
            sum += Double(n - kept) * log(sorted[kept - 1])
            return Double(kept - 1) / sum
        }
    }

    private static func tooFew(_ n: Int, needed: Int) -> EstimatorError {
        .degenerate(estimator: name, reason: "\(n) usable ratio\(n == 1 ? "" : "s") r₂/r₁ after dropping duplicates and ties; this fit needs at least \(needed)")
    }
}

/// A number written compactly: integers without a decimal point, others with up to 6 significant digits.
func formatNumber(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(format: "%.6g", x)
}
