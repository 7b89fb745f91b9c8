import AccordionTestSupport
import Tensors
import Testing
@testable import Dimensionality

@Suite("Per-class estimates")
struct PerClassTests {
    /// Class 0: a uniform square (a 2-d plane), class 1: a standard 6-d Gaussian, in orthogonal
    /// subspaces of R^20 under one random rotation, each coordinate of variance 1; labels
    /// alternate so that the classes are interleaved row by row.
    static func planeAndGaussian(perClass n: Int, seed: UInt64) -> (DoubleTensor, [Int]) {
        let ambient = 20
        let q = TestData.orthogonal(ambient, seed: seed)
        var rng = RandomStream(seed: seed, path: "plane-and-gaussian")
        var x = DoubleTensor(shape: [2 * n, ambient])
        var labels: [Int] = []
        for i in 0..<(2 * n) {
            let label = i % 2
            let coordinates: [Double] = label == 0
                ? (0..<2).map { _ in (rng.uniform() * 2 - 1) * 3.0.squareRoot() }
                : (0..<6).map { _ in rng.normal() }
            let first = label == 0 ? 0 : 2
            for c in 0..<ambient {
                var s = 0.0
                for (a, u) in coordinates.enumerated() { s += u * q[(first + a) * ambient + c] }
                x[i, c] = s
            }
            labels.append(label)
        }
        return (x, labels)
    }

    @Test("a 2-d plane and a 6-d Gaussian: the per-class TwoNN and PR find 2 and 6, the pooled estimate neither")
    func knownAnswer() throws {
        let (x, labels) = Self.planeAndGaussian(perClass: 800, seed: 7)
        for (name, tolerance) in [("twonn", (0.25, 0.8)), ("pr", (0.1, 0.5))] {
            let estimator = try IDEstimator.named(name, settings: ["resamples": "0"])
            let classes = try estimator.estimatePerClass(x, labels: labels)
            #expect(classes.map(\.label) == [0, 1])
            #expect(classes.map(\.estimate.points) == [800, 800])
            #expect(abs(classes[0].estimate.value - 2) < tolerance.0, "\(name): \(classes[0].estimate.value)")
            #expect(abs(classes[1].estimate.value - 6) < tolerance.1, "\(name): \(classes[1].estimate.value)")
            let pooled = try estimator.estimate(x).value
            #expect(abs(pooled - 2) > 1 && abs(pooled - 6) > 1, "\(name) pooled: \(pooled)")
        }
    }

    @Test("a class smaller than the estimator needs is an error naming the class and its size")
    func smallestClass() throws {
        let (x, _) = Self.planeAndGaussian(perClass: 30, seed: 1)
        // 55 points in class 0, 5 in class 3.
        let labels = (0..<60).map { $0 < 55 ? 0 : 3 }
        let mle = try IDEstimator.named("mle", settings: ["k": "10", "resamples": "0"])
        #expect(mle.minimumPointsPerClass == 11)
        #expect(throws: EstimatorError.invalidSetting(
            estimator: mle.name,
            message: "per_class needs at least 11 points in every class, but class 3 has 5 of the 60 probe points; raise probe.size")) {
            try mle.estimatePerClass(x, labels: labels)
        }
    }

    @Test("with resamples a class needs enough points for every resample to have the estimator's minimum")
    func resampledMinimum() throws {
        let mle = try IDEstimator.named("mle", settings: ["k": "20", "resamples": "10", "resample_fraction": "0.9"])
        // ⌊0.9 · 24⌋ = 21 = k + 1, ⌊0.9 · 23⌋ = 20.
        #expect(mle.minimumPointsPerClass == 24)
        #expect(try IDEstimator.named("pr", settings: ["resamples": "0"]).minimumPointsPerClass == 2)
    }

    @Test("the task-relevance measures have no per-class value")
    func taskRelevance() throws {
        #expect(try !IDEstimator.named("linear_probe", settings: [:]).supportsPerClass)
        #expect(try !IDEstimator.named("class_geometry", settings: [:]).supportsPerClass)
        #expect(try IDEstimator.named("twonn", settings: [:]).supportsPerClass)
    }
}
