import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Correlation dimension and local PCA")
struct LocalEstimatorTests {
    @Test("pair counts match an all-pairs Float64 count at the median neighbour radii", arguments: [UInt64(51), 52])
    func correlationCounts(_ seed: UInt64) throws {
        print("correlation dimension check, seed \(seed)")
        let x = TestData.withDuplicatesAndTies(n: 300, d: 5, seed: seed)
        let rows = PointRows(x)
        let graph = NearestNeighbors.search(rows, k: 8, threads: 1, blockSize: 64)
        let settings = CorrelationDimension.Settings(k1: 4, k2: 8)
        let outcome = try CorrelationDimension.evaluate(rows, graph: graph, settings: settings, threads: 2)
        let r1 = CorrelationDimension.median((0..<300).map { graph.distance($0, rank: 4) })
        let r2 = CorrelationDimension.median((0..<300).map { graph.distance($0, rank: 8) })
        var c1 = 0, c2 = 0
        for i in 0..<300 {
            for j in (i + 1)..<300 {
                let d = TestData.naiveDistance(x, i, j)
                if d < r1 { c1 += 1 }
                if d < r2 { c2 += 1 }
            }
        }
        #expect(outcome.radii.0 == r1 && outcome.radii.1 == r2)
        #expect(outcome.pairs.0 == c1 && outcome.pairs.1 == c2, "seed \(seed)")
        let expected = (log(Double(c2)) - log(Double(c1))) / log(r2 / r1)
        #expect(TestSupport.close(outcome.value, expected, relative: 1e-12))
    }

    @Test("the median follows NumPy for odd and even counts")
    func median() {
        #expect(CorrelationDimension.median([3, 1, 2]) == 2)
        #expect(CorrelationDimension.median([4, 1, 3, 2]) == 2.5)
    }

    @Test("local PCA sees the dimension of a flat piece exactly, whatever the ambient space")
    func flat() throws {
        for (d, ambient) in [(2, 10), (3, 40)] {
            let x = TestData.embeddedCube(n: 300, d: d, ambient: ambient, seed: UInt64(53 + d))
            let variance = try IDEstimator.parse("local_pca:k=30,variance=0.99,resamples=0").estimate(x)
            let fo = try IDEstimator.parse("local_pca:k=30,rule=fo,alpha=0.01").estimate(x)
            #expect(variance.value == Double(d), "variance rule in \(ambient)-D: \(variance.value)")
            #expect(fo.value == Double(d), "FO rule in \(ambient)-D: \(fo.value)")
        }
    }

    @Test("the variance rule counts the fewest components reaching the fraction")
    func spectrumRule() {
        let spectrum = [5.0, 3.0, 1.0, 1.0]
        #expect(SpectrumRule.variance(0.5).components(spectrum) == 1)
        #expect(SpectrumRule.variance(0.8).components(spectrum) == 2)
        #expect(SpectrumRule.variance(0.81).components(spectrum) == 3)
        #expect(SpectrumRule.variance(1).components(spectrum) == 4)
        #expect(SpectrumRule.fukunagaOlsen(0.2).components(spectrum) == 2)
        #expect(SpectrumRule.fukunagaOlsen(0.19).components(spectrum) == 4)
    }

    @Test("TwoNN flavours on hand-made ratios")
    func twoNNFlavours() throws {
        let mu = [1.5, 2.0, 1.2, 3.0, 1.1, 4.0, 1.3, 1.8, 2.5, 1.05]
        let sorted = mu.sorted()
        // linear, discard 0.2: the first ⌊10·0.8⌋ = 8 sorted ratios against −log(1 − i/10).
        var sxy = 0.0, sxx = 0.0
        for i in 0..<8 {
            sxy += log(sorted[i]) * -log(1 - Double(i + 1) / 10)
            sxx += log(sorted[i]) * log(sorted[i])
        }
        let linear = try TwoNN.fit(ratios: mu, settings: .init(discardFraction: 0.2, method: .linear))
        #expect(TestSupport.close(linear, sxy / sxx, relative: 1e-14))
        let censored = try TwoNN.fit(ratios: mu, settings: .init(discardFraction: 0.2, method: .mle))
        let censoredSum = sorted.prefix(8).reduce(0) { $0 + log($1) } + 2 * log(sorted[7])
        #expect(TestSupport.close(censored, 7 / censoredSum, relative: 1e-14))
        let all = try TwoNN.fit(ratios: mu, settings: .init(discardFraction: 0.2, method: .mleAll))
        #expect(TestSupport.close(all, 9 / mu.reduce(0) { $0 + log($1) }, relative: 1e-14))
        // No discard: the linear fit stops at N − 1, where F < 1.
        let noDiscard = try TwoNN.fit(ratios: mu, settings: .init(discardFraction: 0, method: .linear))
        var nxy = 0.0, nxx = 0.0
        for i in 0..<9 {
            nxy += log(sorted[i]) * -log(1 - Double(i + 1) / 10)
            nxx += log(sorted[i]) * log(sorted[i])
        }
        #expect(TestSupport.close(noDiscard, nxy / nxx, relative: 1e-14))
    }
}
