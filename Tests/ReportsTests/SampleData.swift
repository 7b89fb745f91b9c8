import Foundation
import Statistics
import Testing
@testable import Reports

/// Uniform draws for the fake data, from a fixed seed so every run draws the same.
extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in [-1, 1).
    mutating func noise() -> Double { 2 * uniform() - 1 }
}

/// Report inputs for tests: a realistic sweep and small edge cases.
enum SampleData {
    static let layers = ["input", "fc1", "fc2", "fc3", "fc4", "fc5", "fc6", "logits"]
    static let estimators = ["pr", "twonn", "mle"]
    static let epochs = [0, 1, 2, 5, 10]

    /// A width × learning-rate × seed sweep of an MLP on Fashion-MNIST, with the shapes the papers
    /// report: ID rises in the first layers, then compresses towards the output after training.
    /// Point 11 (width 1024, lr 0.1, seed 1) diverged at epoch 3; one MLE value is missing.
    static func sweep() -> ReportInput {
        var rng = SplitMix64(seed: 0x5EED)
        var points: [ReportInput.Point] = []
        var estimates: [ReportInput.Estimate] = []
        var metrics: [ReportInput.EpochMetrics] = []
        let widths = [64, 256, 1024]
        let rates = [0.01, 0.1]
        let seeds = [0, 1]
        var index = 0
        for width in widths {
            for lr in rates {
                for seed in seeds {
                    let diverged = width == 1024 && lr == 0.1 && seed == 1
                    let lastEpoch = diverged ? 2 : 10
                    let capacity = log2(Double(width)) / 10
                    let batch = 64.0
                    let noise = (1...lastEpoch).map { ReportInput.EpochValue(epoch: $0, value: lr / batch * (1 + 0.3 * exp(-Double($0) / 3)) * (1 + 0.05 * rng.noise())) }
                    var finalAccuracy: Double?
                    for epoch in 0...lastEpoch {
                        guard epoch > 0 else { continue }
                        let progress = 1 - exp(-Double(epoch) / 2.5)
                        let trainAccuracy = 0.6 + (0.3 + 0.05 * capacity) * progress + 0.004 * rng.noise()
                        let testAccuracy = trainAccuracy - 0.01 - 0.02 * progress + 0.004 * rng.noise() - (lr > 0.05 ? 0.01 : 0)
                        metrics.append(ReportInput.EpochMetrics(
                            point: index, epoch: epoch,
                            trainLoss: 1.4 * exp(-Double(epoch) / 2.2) + 0.25 + 0.02 * rng.noise(),
                            trainAccuracy: trainAccuracy,
                            testLoss: 1.3 * exp(-Double(epoch) / 2.6) + 0.33 + 0.02 * rng.noise(),
                            testAccuracy: testAccuracy))
                        finalAccuracy = testAccuracy
                    }
                    for epoch in epochs where epoch <= lastEpoch {
                        let trained = 1 - exp(-Double(epoch) / 3)
                        for (li, layer) in layers.enumerated() {
                            let depth = Double(li) / Double(layers.count - 1)
                            // Hunchback: expansion in early layers, compression towards the output.
                            let hump = sin(Double.pi * min(depth * 1.25, 1)) * (1 + capacity)
                            let initial = 14 + 6 * depth * capacity
                            let trainedProfile = 12 + 26 * hump - 9 * depth * depth
                            let base = initial + (trainedProfile - initial) * trained
                            for (ei, estimator) in estimators.enumerated() {
                                let scale = [0.45, 1.0, 0.92][ei]
                                var value: Double? = base * scale * (1 + 0.03 * rng.noise())
                                let error: Double? = estimator == "pr" ? nil : base * scale * 0.04 * (0.6 + rng.uniform())
                                if estimator == "mle" && li == 0 && width == 64 && lr == 0.1 && seed == 0 && epoch == 10 { value = nil }
                                estimates.append(ReportInput.Estimate(point: index, epoch: epoch, layer: layer, layerIndex: li,
                                                                      estimator: estimator, value: value, error: error))
                            }
                        }
                    }
                    points.append(ReportInput.Point(
                        index: index, label: "width=\(width),lr=\(lr),seed=\(seed)",
                        assignments: ["model.width": "\(width)", "train.lr": "\(lr)", "train.seed": "\(seed)"],
                        testAccuracy: diverged ? nil : finalAccuracy, noiseScale: noise))
                    index += 1
                }
            }
        }
        let spec = #"{"name":"mlp-width-sweep","data":{"dataset":"fashion-mnist","probe":{"size":2000}},"model":{"kind":"mlp","widths":[256,256,256,256,256,256],"activation":"relu"},"train":{"epochs":10,"batch_size":64,"optimizer":{"kind":"sgd","lr":0.01,"momentum":0.9}},"estimators":["pr","twonn","mle"],"sweep":{"model.width":[64,256,1024],"train.lr":[0.01,0.1],"train.seed":[0,1]}}"#
        return ReportInput(
            name: "mlp-width-sweep",
            description: "How width and learning rate shape the expansion and compression of representations in a 6-hidden-layer ReLU MLP on Fashion-MNIST.",
            points: points, estimates: estimates, metrics: metrics, resolvedSpec: spec,
            provenance: [
                .init(key: "accordion", value: "0.1.0"), .init(key: "git commit", value: "25a6056 (dirty)"),
                .init(key: "swift", value: "6.3.1"), .init(key: "os", value: "Debian 12 x86_64"),
                .init(key: "blas", value: "OpenBLAS 0.3.21 (pthread), 1 thread"),
                .init(key: "dataset", value: "fashion-mnist sha256:3f1a…"),
            ],
            failures: [.init(stage: "train[width=1024,lr=0.1,seed=1]",
                             reason: "diverged at epoch 3 step 412: loss is nan", point: 11)])
    }

    /// One point, two estimators, three layers, before and after training; error bars on one estimator.
    static func tiny() -> ReportInput {
        let layers = ["input", "hidden", "logits"]
        let before: [[Double]] = [[3.0, 4.5, 4.0], [6.0, 8.0, 7.5]]
        let after: [[Double]] = [[3.0, 7.25, 2.5], [6.0, 13.0, 4.0]]
        var estimates: [ReportInput.Estimate] = []
        for (epoch, table) in [(0, before), (5, after)] {
            for (ei, estimator) in ["pr", "twonn"].enumerated() {
                for (li, layer) in layers.enumerated() {
                    estimates.append(.init(point: 0, epoch: epoch, layer: layer, layerIndex: li, estimator: estimator,
                                           value: table[ei][li], error: estimator == "twonn" ? 0.5 : nil))
                }
            }
        }
        return ReportInput(name: "tiny", points: [.init(index: 0, label: "baseline", testAccuracy: 0.875)], estimates: estimates)
    }

    /// A named input for table-driven edge-case tests.
    struct EdgeCase: CustomTestStringConvertible, Sendable {
        let id: String
        let input: ReportInput
        var testDescription: String { id }
    }

    static func edgeCases() -> [EdgeCase] {
        func estimate(_ point: Int, _ epoch: Int, _ layer: Int, _ estimator: String, _ value: Double?, _ error: Double? = nil) -> ReportInput.Estimate {
            .init(point: point, epoch: epoch, layer: "layer\(layer)", layerIndex: layer, estimator: estimator, value: value, error: error)
        }
        var cases: [EdgeCase] = []
        cases.append(EdgeCase(id: "one layer", input: ReportInput(
            name: "one layer", points: [.init(index: 0, label: "p0", testAccuracy: 0.5), .init(index: 1, label: "p1", testAccuracy: 0.7)],
            estimates: [estimate(0, 0, 0, "pr", 4), estimate(0, 3, 0, "pr", 2.5), estimate(1, 0, 0, "pr", 5), estimate(1, 3, 0, "pr", 3)])))
        cases.append(EdgeCase(id: "one point, one epoch", input: ReportInput(
            name: "one point", points: [.init(index: 0, label: "only", testAccuracy: 0.9)],
            estimates: (0..<4).map { estimate(0, 10, $0, "twonn", Double(5 + $0), 0.25) },
            metrics: [.init(point: 0, epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.6, testAccuracy: 0.9)])))
        var constantEstimates: [ReportInput.Estimate] = []
        var constantMetrics: [ReportInput.EpochMetrics] = []
        for p in 0..<3 {
            for l in 0..<3 { for e in [0, 2] { constantEstimates.append(estimate(p, e, l, "pr", 7)) } }
            for e in 1...3 {
                constantMetrics.append(.init(point: p, epoch: e, trainLoss: 1, trainAccuracy: 0.8, testLoss: 1, testAccuracy: 0.8))
            }
        }
        cases.append(EdgeCase(id: "constant values", input: ReportInput(
            name: "constant",
            points: (0..<3).map { .init(index: $0, label: "p\($0)", assignments: ["model.width": "\(8 << $0)"], testAccuracy: 0.8) },
            estimates: constantEstimates, metrics: constantMetrics)))
        cases.append(EdgeCase(id: "zero everywhere", input: ReportInput(
            name: "zeros", points: [.init(index: 0, label: "z", testAccuracy: 0)],
            estimates: (0..<2).map { estimate(0, 1, $0, "pr", 0) })))
        cases.append(EdgeCase(id: "missing value mid-profile", input: ReportInput(
            name: "missing", points: [.init(index: 0, label: "p0", testAccuracy: 0.8)],
            estimates: (0..<5).flatMap { (l: Int) -> [ReportInput.Estimate] in
                let x = Double(l)
                let before: Double? = l == 2 ? nil : x * 2 + 1
                let after: Double? = l == 2 ? nil : x * 3 + 1
                return [estimate(0, 0, l, "pr", x + 1), estimate(0, 0, l, "mle", before),
                        estimate(0, 4, l, "pr", x + 2), estimate(0, 4, l, "mle", after)]
            })))
        cases.append(EdgeCase(id: "non-finite numbers in the input", input: ReportInput(
            name: "nonfinite", points: [.init(index: 0, label: "p0", testAccuracy: .nan, noiseScale: [.init(epoch: 1, value: .infinity)])],
            estimates: [estimate(0, 0, 0, "pr", .nan), estimate(0, 0, 1, "pr", 3, .infinity), estimate(0, 0, 2, "pr", -.infinity), estimate(0, 0, 3, "pr", 4)],
            metrics: [.init(point: 0, epoch: 1, trainLoss: .nan, trainAccuracy: 0.5, testLoss: .infinity, testAccuracy: nil)])))
        cases.append(EdgeCase(id: "every point failed", input: ReportInput(
            name: "all failed", points: [.init(index: 0, label: "a"), .init(index: 1, label: "b")], estimates: [],
            failures: [.init(stage: "train[a]", reason: "loss is nan", point: 0), .init(stage: "data", reason: "file not found")])))
        cases.append(EdgeCase(id: "no points at all", input: ReportInput(name: "empty", points: [], estimates: [])))
        cases.append(EdgeCase(id: "markup in every text field", input: ReportInput(
            name: "<script>alert('x')</script> & \"friends\"", description: "a < b && c > d\u{1}",
            points: [.init(index: 0, label: "w=<8>&\"q\"", assignments: ["model.<w>": "a&b"], testAccuracy: 0.5)],
            estimates: [.init(point: 0, epoch: 0, layer: "<fc1>&'", layerIndex: 0, estimator: "pr<&>", value: 3),
                        .init(point: 0, epoch: 0, layer: "fc2\u{7}", layerIndex: 1, estimator: "pr<&>", value: 4)],
            resolvedSpec: "{\"a\": \"</pre><b>\"}", provenance: [.init(key: "k<", value: "v&")],
            failures: [.init(stage: "probe[<x>]", reason: "bad & worse")])))
        cases.append(EdgeCase(id: "huge and tiny magnitudes", input: ReportInput(
            name: "magnitudes",
            points: (0..<3).map { .init(index: $0, label: "p\($0)", testAccuracy: 0.5 + 0.1 * Double($0),
                                        noiseScale: [.init(epoch: 1, value: [1e-6, 1e-4, 1e-2][$0])]) },
            estimates: (0..<3).flatMap { p in (0..<3).map { l in estimate(p, 1, l, "pr", [1e-9, 2e8, 3.5][l] * Double(p + 1)) } })))
        return cases
    }
}
