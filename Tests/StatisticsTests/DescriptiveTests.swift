import Testing
import Statistics

@Suite("Mean and sample standard deviation")
struct DescriptiveTests {
    @Test("known values: the mean, and the sd with n − 1 in the denominator")
    func knownValues() throws {
        #expect(abs(try #require(mean([1.2, 2.4, 1.9, 3.1, 2.2])) - 2.16) < 1e-12)
        // SciPy: np.std([1.2, 2.4, 1.9, 3.1, 2.2], ddof=1).
        #expect(abs(try #require(standardDeviation([1.2, 2.4, 1.9, 3.1, 2.2])) - 0.6949820141557622) < 1e-12)
        // Squared deviations from 5 sum to 32: s = √(32 / 7), not the population √(32 / 8) = 2.
        #expect(abs(try #require(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])) - (32.0 / 7).squareRoot()) < 1e-12)
    }

    @Test("the sum runs left to right, so a mean keeps the bits it had in earlier bundles")
    func summationOrder() {
        let values = [0.1, 0.2, 0.3, 1e16, -1e16]
        #expect(mean(values) == values.reduce(0, +) / 5)
        #expect(mean(values) != values.reversed().reduce(0, +) / 5)
    }

    @Test("no values give no mean; fewer than two give no sd; a constant gives sd 0")
    func edgeCases() {
        #expect(mean([]) == nil)
        #expect(mean([4]) == 4)
        #expect(standardDeviation([]) == nil)
        #expect(standardDeviation([4]) == nil)
        #expect(standardDeviation([3, 3, 3]) == 0)
    }
}
