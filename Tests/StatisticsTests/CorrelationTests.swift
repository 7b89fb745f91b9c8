import Testing
import Statistics

@Suite("Average ranks, Pearson and Spearman")
struct CorrelationTests {
    @Test("ties share the average of the ranks they span", arguments: [
        ([10, 20, 20, 30], [1, 2.5, 2.5, 4]),
        ([3, 1, 2], [3, 1, 2]),
        ([5, 5, 5], [2, 2, 2]),
        ([2, 1, 2, 1, 2], [4, 1.5, 4, 1.5, 4]),
        ([], []),
    ] as [([Double], [Double])])
    func ranks(_ values: [Double], _ expected: [Double]) {
        #expect(averageRanks(values) == expected)
    }

    @Test("Pearson's r: known values, and nil without spread or pairs")
    func pearsonValues() {
        // Deviations (−1, 0, 1) and (−1, 1, 0): r = 1 / √(2 · 2).
        #expect(pearson([1, 2, 3], [1, 3, 2]) == 0.5)
        #expect(pearson([1, 2, 3, 4], [8, 6, 4, 2]) == -1)
        #expect(pearson([1, 2, 3], [5, 5, 5]) == nil)
        #expect(pearson([1], [2]) == nil)
        #expect(pearson([], []) == nil)
    }

    @Test("rounding never takes r past 1")
    func pearsonClamped() {
        // Unclamped, these proportional values give 1.0000000000000002.
        #expect(pearson([0.1, 0.8, 0.8], [0.06999999999999999, 0.5599999999999999, 0.5599999999999999]) == 1)
    }

    /// Reference values from SciPy 1.17 (`scipy.stats.spearmanr`).
    @Test("Spearman's ρ with ties matches SciPy; undefined without spread")
    func spearmanValues() {
        #expect(abs((spearman([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]) ?? 0) - 0.8285714285714287) < 1e-12)
        #expect(abs((spearman([1, 2, 2, 3], [1, 3, 2, 4]) ?? 0) - 0.9486832980505139) < 1e-12)
        #expect(abs((spearman([1, 2, 2, 3], [1, 3, 2, 4]) ?? 0) - 4.5 / 22.5.squareRoot()) < 1e-12)
        #expect(spearman([1, 2, 3, 4], [1, 8, 27, 64]) == 1)
        #expect(spearman([1, 2, 3], [3, 2, 1]) == -1)
        #expect(spearman([1, 1, 1], [1, 2, 3]) == nil)
        #expect(spearman([1, 2, 3], [5, 5, 5]) == nil)
        #expect(spearman([1], [2]) == nil)
    }
}
