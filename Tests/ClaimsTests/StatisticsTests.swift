import Foundation
import Statistics
import Testing
@testable import Claims

/// Reference values from SciPy 1.17 (`scipy.stats.t.ppf`, `t.cdf`, `ttest_1samp`, `ttest_ind`,
/// `permutation_test`), written out so the tests need no Python.
@Suite("Student t, intervals and tests against SciPy")
struct StatisticsTests {
    static let t975: [Double] = [
        12.706204736174694, 4.302652729749462, 3.1824463052837078, 2.7764451051977934, 2.5705818356363146,
        2.4469118511449786, 2.364624251592784, 2.306004135204166, 2.262157162798205, 2.228138851986274,
        2.200985160091639, 2.1788128296672284, 2.1603686564627913, 2.144786687917804, 2.131449545559776,
        2.1199052992212546, 2.1098155778333156, 2.1009220402410382, 2.0930240544083087, 2.085963447265864,
        2.0796138447276795, 2.0738730679040254, 2.0686576104190486, 2.0638985616280245, 2.0595385527532972,
        2.0555294386428735, 2.0518305164802846, 2.0484071417952454, 2.045229642132703, 2.0422724563012378,
    ]

    @Test("t.ppf(0.975, df) for df = 1…30 matches SciPy to 1e-10 relative")
    func quantiles975() {
        for (i, expected) in Self.t975.enumerated() {
            let q = StudentT(degreesOfFreedom: Double(i + 1)).quantile(0.975)
            #expect(abs(q - expected) <= 1e-10 * expected, "df = \(i + 1): \(q) vs \(expected)")
        }
    }

    @Test("other quantiles: tails, fractional df, the lower half", arguments: [
        (0.995, 1.0, 63.656741162871526), (0.95, 2.5, 2.5582186141359355), (0.999, 7.0, 4.785289628638333),
        (0.6, 12.0, 0.25903274567688733), (0.025, 4.0, -2.7764451051977943), (0.9999, 1.0, 3183.098757118502),
        (0.975, 1000.0, 1.9623390808264083),
    ])
    func quantiles(_ p: Double, _ df: Double, _ expected: Double) {
        let q = StudentT(degreesOfFreedom: df).quantile(p)
        #expect(abs(q - expected) <= 1e-9 * abs(expected), "p = \(p), df = \(df): \(q)")
    }

    @Test("the CDF matches SciPy", arguments: [(1.0, 1.0, 0.75), (2.0, 3.0, 0.9303370157205785),
                                             (-1.5, 5.5, 0.0943384844535493), (10.0, 2.0, 0.9950737714883372)])
    func cdf(_ t: Double, _ df: Double, _ expected: Double) {
        #expect(abs(StudentT(degreesOfFreedom: df).cdf(t) - expected) < 1e-13)
    }

    @Test("n, mean, sd and the 95 % t interval of one group")
    func group() throws {
        let g = try #require(GroupStatistics([1.2, 2.4, 1.9, 3.1, 2.2]))
        #expect(g.n == 5 && abs(g.mean - 2.16) < 1e-12)
        #expect(abs((g.sd ?? 0) - 0.6949820141557622) < 1e-12)
        #expect(abs((g.ciLow ?? 0) - 1.2970658536236515) < 1e-10 && abs((g.ciHigh ?? 0) - 3.0229341463763486) < 1e-10)
        let one = try #require(GroupStatistics([4]))
        #expect(one.n == 1 && one.sd == nil && one.ciLow == nil)
        #expect(GroupStatistics([]) == nil)
    }

    @Test("paired and Welch t tests match SciPy's p-values and intervals")
    func tTests() throws {
        let p = try #require(TTest.paired([0.5, 1.1, -0.2, 0.9, 0.7, 0.4]))
        #expect(abs(p.p - 0.0283178192517725) < 1e-12)
        #expect(abs(p.ciLow - 0.08958686879353156) < 1e-10 && abs(p.ciHigh - 1.0437464645398018) < 1e-10)
        let w = try #require(TTest.welch([5.1, 4.8, 6.0, 5.5], [4.2, 4.9, 4.1, 4.0, 4.6]))
        #expect(abs(w.degreesOfFreedom - 5.359212878066897) < 1e-10)
        #expect(abs(w.p - 0.021932462039604906) < 1e-12)
        #expect(abs(w.ciLow - 0.20892007272649094) < 1e-10 && abs(w.ciHigh - 1.7710799272735058) < 1e-10)
        #expect(TTest.paired([1]) == nil)
    }

    @Test("the exact permutation p of Spearman's ρ")
    func spearmanPermutation() throws {
        var rng = SplitMix64(seed: 1)
        let p = try #require(spearmanPermutationP([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], resamples: 0, rng: &rng))
        #expect(abs(p - 2.0 / 120) < 1e-12, "only the identity and the reversal reach |ρ| = 1")
    }

    @Test("Holm's adjustment, worked by hand")
    func holmByHand() {
        // Sorted: 0.01 (×4 = 0.04), 0.02 (×3 = 0.06), 0.03 (×2 = 0.06), 0.04 (×1 = 0.04 → max 0.06).
        let adjusted = holm([0.03, nil, 0.01, 0.04, 0.02])
        let expected: [Double?] = [0.06, nil, 0.04, 0.06, 0.06]
        for (a, e) in zip(adjusted, expected) {
            #expect((a == nil) == (e == nil))
            if let a, let e { #expect(abs(a - e) < 1e-15) }
        }
        #expect(holm([0.5, 0.9]).compactMap { $0 } == [1, 1])
    }

    @Test("the percentile interval interpolates between order statistics")
    func percentile() throws {
        let ci = try #require(percentileInterval((0...100).map(Double.init), level: 0.9))
        #expect(abs(ci.low - 5) < 1e-9 && abs(ci.high - 95) < 1e-9)
        #expect(percentileInterval([], level: 0.95) == nil)
    }

    @Test("summaries group replicates by configuration, epoch, layer and estimator")
    func summaries() throws {
        let obs = [3.0, 4.0, 5.0].enumerated().map { r, v in
            Observation(configuration: 0, replicate: r, epoch: 1, layer: "h1", layerIndex: 1, estimator: "pr", value: v)
        } + [Observation(configuration: 0, replicate: 0, epoch: 1, layer: "input", layerIndex: 0, estimator: "pr", value: 9)]
        // A second probe set of replicate 2 (value 7) is averaged into it: n stays 3, mean (3 + 4 + 6) / 3.
        let rows = GroupSummary.summarize(obs + [Observation(configuration: 0, replicate: 2, epoch: 1, layer: "h1", layerIndex: 1,
                                                             estimator: "pr", value: 7)])
        #expect(rows.map(\.layer) == ["input", "h1"])
        #expect(rows[1].statistics.n == 3 && abs(rows[1].statistics.mean - 13.0 / 3) < 1e-12)
        // sd of (3, 4, 6) is √(7/3).
        #expect(abs((rows[1].statistics.ciHigh ?? 0) - (13.0 / 3 + 4.302652729749462 * (7.0 / 3).squareRoot() / 3.0.squareRoot())) < 1e-9)
    }
}
