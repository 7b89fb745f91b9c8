import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Edge cases give a clear error or a defined value, never NaN")
struct EdgeCaseTests {
    static let specs = ["pr", "pca", "twonn", "mle:k=5", "local_pca:k=5", "corrdim:k1=2,k2=4"]

    @Test("all points equal is constantData for every estimator", arguments: specs)
    func constant(_ spec: String) throws {
        let estimator = try IDEstimator.parse(spec)
        #expect(throws: EstimatorError.constantData(estimator: estimator.name)) {
            try estimator.estimate(DoubleTensor(shape: [30, 4], repeating: 2.5))
        }
    }

    @Test("a NaN anywhere is named by row and column", arguments: specs)
    func nan(_ spec: String) throws {
        let estimator = try IDEstimator.parse(spec)
        var rng = RandomStream(seed: 31)
        var x: FloatTensor = rng.normalTensor(shape: [40, 3])
        x[17, 1] = .nan
        #expect(throws: EstimatorError.nonFinite(estimator: estimator.name, row: 17, column: 1)) {
            try estimator.estimate(x)
        }
    }

    @Test("N too small for k is tooFewPoints with the numbers")
    func tooFew() throws {
        var rng = RandomStream(seed: 32)
        let x: DoubleTensor = rng.normalTensor(shape: [20, 3])
        #expect(throws: EstimatorError.tooFewPoints(estimator: "mle", needed: 21, got: 20)) {
            try IDEstimator.named("mle").estimate(x)
        }
        #expect(throws: EstimatorError.tooFewPoints(estimator: "twonn", needed: 3, got: 2)) {
            try IDEstimator.named("twonn").estimate(x.rows(0..<2))
        }
        #expect(throws: EstimatorError.tooFewPoints(estimator: "local_pca", needed: 101, got: 20)) {
            try IDEstimator.named("local_pca").estimate(x)
        }
    }

    @Test("duplicated points are dropped from TwoNN and MLE and counted")
    func duplicates() throws {
        var rng = RandomStream(seed: 33)
        let base: DoubleTensor = rng.normalTensor(shape: [300, 3])
        // Rows 300..<360 copy rows 0..<60: those 120 points have a neighbour at distance 0.
        var x = DoubleTensor(shape: [360, 3])
        for i in 0..<360 { for c in 0..<3 { x[i, c] = base[i % 300, c] } }
        for spec in ["twonn:resamples=5", "mle:k=10,resamples=5"] {
            let r = try IDEstimator.parse(spec).estimate(x)
            // A point whose nearest neighbour is duplicated sees r₁ = r₂: a tie for TwoNN.
            #expect(r.duplicates == 120, "\(spec)")
            #expect(r.used + r.duplicates + r.ties == 360, "\(spec)")
            #expect(r.estimator == "mle" || r.ties > 0, "\(spec)")
            #expect(r.value.isFinite && r.value > 1)
            #expect(try #require(r.errorBar).isFinite)
        }
    }

    @Test("equal first and second neighbour distances are ties, dropped and counted")
    func ties() throws {
        // The integer points 0, 1, …, 9 on a line: every inner point has r1 = r2 = 1.
        let x = DoubleTensor(shape: [10, 1], scalars: (0..<10).map(Double.init))
        let r = try IDEstimator.parse("twonn:method=mle_all,resamples=0").estimate(x)
        #expect(r.ties == 8 && r.used == 2)
        #expect(TestSupport.close(r.value, 1 / (2 * log(2.0)), relative: 1e-12))
        // Only ties and duplicates left: an error, not a NaN.
        let lattice = DoubleTensor(shape: [6, 1], scalars: [0, 1, 2, 2, 3, 4])
        #expect(throws: EstimatorError.self) {
            try IDEstimator.parse("twonn:resamples=0").estimate(lattice.rows(1..<5))
        }
    }

    @Test("N < D works for every estimator and gives finite values", arguments: specs)
    func wide(_ spec: String) throws {
        let x = TestData.embeddedCube(n: 40, d: 3, ambient: 90, seed: 34)
        let r = try IDEstimator.parse(spec).estimate(x)
        #expect(r.value.isFinite && r.value > 0 && r.value <= 40, "\(spec) = \(r.value)")
    }

    @Test("rank-1 data: PR is 1 and PCA needs one component")
    func rankOne() throws {
        var rng = RandomStream(seed: 35)
        let direction = (0..<6).map { _ in rng.normal() }
        var x = DoubleTensor(shape: [200, 6])
        for i in 0..<200 {
            let t = rng.normal()
            for c in 0..<6 { x[i, c] = t * direction[c] - 1 }
        }
        #expect(abs(try IDEstimator.named("pr").estimate(x).value - 1) < 1e-9)
        #expect(try IDEstimator.named("pca", settings: ["variance": "0.99"]).estimate(x).value == 1)
    }

    @Test("standardisation makes a high-variance column count like any other")
    func standardize() throws {
        var rng = RandomStream(seed: 36)
        var x = DoubleTensor(shape: [500, 3])
        for i in 0..<500 {
            x[i, 0] = 100 * rng.normal()
            x[i, 1] = rng.normal()
            x[i, 2] = 7 // constant: left out when standardising
        }
        let raw = try IDEstimator.named("pca", settings: ["variance": "0.95"]).estimate(x)
        let z = try IDEstimator.named("pca", settings: ["variance": "0.95", "standardize": "true"]).estimate(x)
        #expect(raw.value == 1)
        #expect(z.value == 2)
        #expect(z.flavour.contains("1 zero-variance column left out"))
    }
}
