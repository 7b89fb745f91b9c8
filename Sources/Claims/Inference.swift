import Foundation
import Statistics

/// A mean difference with its Student-t interval and two-sided p-value against zero.
public struct TTest: Equatable, Sendable {
    public var estimate: Double
    public var standardError: Double
    public var degreesOfFreedom: Double
    public var p: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Observations used: pairs for a paired test, both groups together for Welch's.
    public var n: Int

    /// The one-sample (paired) t test on differences dᵢ:
    /// ```
    /// t = d̄ / (s_d / √n),  ν = n − 1,  CI = d̄ ± t_{1−α/2, ν} s_d / √n
    /// ```
    /// Returns nil for fewer than 2 differences. Zero spread gives p = 0 (or 1 when d̄ = 0) and a
    /// zero-width interval.
    public static func paired(_ differences: [Double], level: Double = 0.95) -> TTest? {
        guard let g = GroupStatistics(differences), let sd = g.sd else { return nil }
        return make(estimate: g.mean, se: sd / Double(g.n).squareRoot(), df: Double(g.n - 1), n: g.n, level: level)
    }

    /// Welch's unequal-variance t test of mean(a) − mean(b) (Welch 1947):
    /// ```
    /// se² = s_a²/n_a + s_b²/n_b,  ν = se⁴ / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1))
    /// ```
    public static func welch(_ a: [Double], _ b: [Double], level: Double = 0.95) -> TTest? {
        guard let ga = GroupStatistics(a), let gb = GroupStatistics(b), let sa = ga.sd, let sb = gb.sd else { return nil }
        let va = sa * sa / Double(ga.n), vb = sb * sb / Double(gb.n)
        let se = (va + vb).squareRoot()
        let denominator = va * va / Double(ga.n - 1) + vb * vb / Double(gb.n - 1)
        let df = denominator > 0 ? (va + vb) * (va + vb) / denominator : Double(ga.n + gb.n - 2)
        return make(estimate: ga.mean - gb.mean, se: se, df: df, n: ga.n + gb.n, level: level)
    }

    /// Two one-sided tests (Schuirmann 1987) of equivalence within ±`margin`: H₀ is |δ| ≥ margin,
    /// rejected when both δ > −margin and δ < margin are shown,
    /// ```
    /// p = max(P(T ≥ (d̄ + margin)/se), P(T ≤ (d̄ − margin)/se)),  T ~ t_ν
    /// ```
    /// Zero spread gives p = 0 when |d̄| < margin, else 1.
    public func equivalenceP(margin: Double) -> Double {
        guard standardError > 0 else { return abs(estimate) < margin ? 0 : 1 }
        let dist = StudentT(degreesOfFreedom: degreesOfFreedom)
        let above = 1 - dist.cdf((estimate + margin) / standardError)
        let below = dist.cdf((estimate - margin) / standardError)
        return max(above, below)
    }

    static func make(estimate: Double, se: Double, df: Double, n: Int, level: Double) -> TTest {
        let dist = StudentT(degreesOfFreedom: df)
        guard se > 0 else {
            return TTest(estimate: estimate, standardError: 0, degreesOfFreedom: df, p: estimate == 0 ? 1 : 0,
                         ciLow: estimate, ciHigh: estimate, n: n)
        }
        let half = dist.quantile(1 - (1 - level) / 2) * se
        return TTest(estimate: estimate, standardError: se, degreesOfFreedom: df, p: dist.twoSidedTail(estimate / se),
                     ciLow: estimate - half, ciHigh: estimate + half, n: n)
    }
}

/// Two-sided permutation p-value of Spearman's ρ: the share of pairings of x with y whose |ρ| is
/// at least the observed one. Exact (all n! pairings) for n ≤ 8; otherwise `resamples` seeded
/// random pairings, with p = (1 + hits) / (1 + resamples) so it is never zero (Phipson & Smyth 2010).
///
/// - Complexity: O(n! · n log n) for n ≤ 8, else O(resamples · n log n).
public func spearmanPermutationP(_ x: [Double], _ y: [Double], resamples: Int, rng: inout SplitMix64) -> Double? {
    guard let observed = spearman(x, y) else { return nil }
    let threshold = abs(observed) - 1e-12
    if x.count <= 8 {
        var hits = 0, total = 0
        var perm = Array(y.indices)
        func visit(_ k: Int) {
            if k == perm.count {
                total += 1
                if let r = spearman(x, perm.map { y[$0] }), abs(r) >= threshold { hits += 1 }
                return
            }
            for i in k..<perm.count {
                perm.swapAt(k, i)
                visit(k + 1)
                perm.swapAt(k, i)
            }
        }
        visit(0)
        return Double(hits) / Double(total)
    }
    var hits = 0
    var shuffled = y
    for _ in 0..<resamples {
        shuffled.shuffle(using: &rng)
        if let r = spearman(x, shuffled), abs(r) >= threshold { hits += 1 }
    }
    return Double(1 + hits) / Double(1 + resamples)
}

/// The percentile interval of bootstrap replicates: the (1−level)/2 and (1+level)/2 quantiles,
/// linearly interpolated (Efron & Tibshirani 1993, §13.3). Nil when there are none.
public func percentileInterval(_ replicates: [Double], level: Double = 0.95) -> (low: Double, high: Double)? {
    let sorted = replicates.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return nil }
    func quantile(_ q: Double) -> Double {
        let h = q * Double(sorted.count - 1)
        let i = Int(h.rounded(.down)), j = min(i + 1, sorted.count - 1)
        return sorted[i] + (h - Double(i)) * (sorted[j] - sorted[i])
    }
    return (quantile((1 - level) / 2), quantile((1 + level) / 2))
}

/// Holm's step-down adjustment of p-values (Holm 1979), controlling the family-wise error rate:
/// ```
/// sort p₍₁₎ ≤ … ≤ p₍ₘ₎;  p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎)
/// ```
/// Nil entries (claims that could not be tested) are not part of the family and stay nil.
public func holm(_ p: [Double?]) -> [Double?] {
    let tested = p.indices.filter { p[$0] != nil }.sorted { (p[$0] ?? 1, $0) < (p[$1] ?? 1, $1) }
    var out = [Double?](repeating: nil, count: p.count)
    var running = 0.0
    for (rank, i) in tested.enumerated() {
        running = max(running, min(1, Double(tested.count - rank) * (p[i] ?? 1)))
        out[i] = running
    }
    return out
}
