import Foundation
import Testing
@testable import ExperimentSpec

/// `train.batch_size: full`, `train.steps`, `train.target_loss` and the clustered task's centre
/// settings: what they resolve to, and that specs without them keep their stage keys.
@Suite("Training length and noise controls in the spec")
struct TrainingLengthTests {
    static func load(_ yaml: String, overrides: [String] = []) throws -> [Experiment] {
        try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s", overrides: overrides).points.map(\.experiment)
    }

    static func json<T: Encodable>(_ value: T) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("specs that use none of the new keys encode exactly the keys they always did")
    func unchangedKeys() throws {
        let e = try Self.load("data: {dataset: clusters}\nprobe: {size: 100}\ntrain: {batch_size: 32, epochs: 2}\n")[0]
        #expect(Set(try Self.json(e.train).keys) == ["optimizer", "lr", "momentum", "nesterov", "weight_decay", "beta1", "beta2", "eps",
                                                    "schedule", "step_size", "gamma", "warmup_epochs", "loss", "batch_size", "epochs",
                                                    "seed", "noise_batches"])
        let clusters = try #require(e.data.clusters)
        #expect(Set(try Self.json(clusters).keys) == ["ambient", "count", "std", "train_per_cluster", "test_per_cluster"])
        // Writing a default explicitly changes nothing either.
        let explicit = try Self.load("data: {dataset: clusters, clusters: {centers: gaussian, center_std: 1, classes: 2}}\nprobe: {size: 100}\n")[0]
        #expect(try explicit.data == Self.load("data: {dataset: clusters}\nprobe: {size: 100}\n")[0].data)
    }

    @Test("batch_size: full resolves to the training split's size and sweeps with counts")
    func fullBatch() throws {
        let points = try Self.load("data: {train_size: 1500}\ntrain:\n  batch_size: {grid: [full, 64]}\n  epochs: 2\n")
        #expect(points.map(\.train.fullBatch) == [true, nil])
        #expect(points.map(\.train.batchSize) == [1500, 64])
        #expect(points[0].train.stepsPerEpoch(trainCount: 1500) == 1)
        #expect(points[0].summary.contains("batch full, 2 epoch(s)"))
    }

    @Test("steps derive the epoch count, the last epoch partial", arguments: [
        (batch: "64", steps: 100, epochs: 4),     // ⌈2000/64⌉ = 32 steps per epoch
        (batch: "64", steps: 96, epochs: 3),
        (batch: "full", steps: 7, epochs: 7),
        (batch: "2000", steps: 1, epochs: 1),
    ])
    func steps(_ c: (batch: String, steps: Int, epochs: Int)) throws {
        let e = try Self.load("data: {train_size: 2000}\ntrain: {batch_size: \(c.batch), steps: \(c.steps)}\n")[0]
        #expect(e.train.steps == c.steps && e.train.epochs == c.epochs)
        #expect(e.probe.epochs == [0, c.epochs])
        #expect(e.summary.contains("\(c.steps) step(s) over \(c.epochs) epoch(s)"))
    }

    @Test("smoke mode clears a step count before setting one epoch")
    func smokeWithSteps() throws {
        let yaml = "data: {train_size: 2000}\ntrain: {steps: 100}\n"
        let full = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
        let overrides = SpecLoader.smokeOverrides(for: full)
        #expect(overrides.contains("train.steps=~"))
        let smoke = try Self.load(yaml, overrides: overrides)[0]
        #expect(smoke.train.steps == nil && smoke.train.epochs == 1)
    }

    @Test("target_loss keeps epochs as its maximum")
    func targetLoss() throws {
        let e = try Self.load("train: {target_loss: 0.05, epochs: 30}\n")[0]
        #expect(e.train.targetLoss == 0.05 && e.train.epochs == 30 && e.train.steps == nil)
        #expect(e.summary.contains("to train loss ≤ 0.05 within 30 epoch(s)"))
    }

    @Test("uniform centres and more classes are carried to the data spec")
    func clusterSettings() throws {
        let e = try Self.load("data:\n  dataset: clusters\n  clusters: {centers: uniform, side: 4, classes: 5, count: 20}\nprobe: {size: 100}\n")[0]
        let c = try #require(e.data.clusters)
        #expect(c.centerDistribution == .uniform && c.side == 4 && c.classCount == 5 && c.centerStd == nil)
        let g = try #require(try Self.load("data:\n  dataset: clusters\n  clusters: {center_std: 3}\nprobe: {size: 100}\n")[0].data.clusters)
        #expect(g.centerDistribution == .gaussian && g.centerStd == 3 && g.side == nil && g.classes == nil)
    }
}
