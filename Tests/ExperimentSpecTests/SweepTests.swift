import Foundation
import Testing
@testable import ExperimentSpec

@Suite("Defaults, sweeps and overrides")
struct SweepTests {
    static func load(_ yaml: String, _ overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s", overrides: overrides)
    }

    @Test("a five-line spec is a complete experiment with defaults")
    func defaults() throws {
        let spec = try Self.load("name: tiny\nmodel:\n  depth: 2\ntrain:\n  epochs: 3\n")
        let e = try #require(spec.points.first?.experiment)
        #expect(spec.points.count == 1)
        #expect(e.model.widths == [256, 256])
        #expect(e.train.lr == 0.01 && e.train.batchSize == 64 && e.train.momentum == 0.9)
        #expect(e.probe.epochs == [0, 3])
        #expect(e.estimators.names == ["pr"])
        #expect(e.layerNames == ["input", "h1", "h2", "logits"])
    }

    @Test("grid sweeps multiply, zip sweeps move together")
    func products() throws {
        let grid = try Self.load("model:\n  width: {grid: [64, 128, 256]}\ntrain:\n  seed: {grid: [0, 1]}\n")
        #expect(grid.points.count == 6)
        #expect(grid.points.map(\.label) == ["width=64,seed=0", "width=64,seed=1", "width=128,seed=0",
                                             "width=128,seed=1", "width=256,seed=0", "width=256,seed=1"])
        let zipped = try Self.load("train:\n  lr: {zip: [0.1, 0.01]}\n  batch_size: {zip: [256, 32]}\n  seed: {grid: [1, 2]}\n")
        #expect(zipped.points.count == 4)
        #expect(zipped.points.map { [$0.experiment.train.lr, Double($0.experiment.train.batchSize)] }
                == [[0.1, 256], [0.1, 256], [0.01, 32], [0.01, 32]])
    }

    @Test("overrides set values and a comma list sweeps")
    func overrides() throws {
        let spec = try Self.load("train:\n  lr: 0.1\n", ["train.lr=0.05", "model.width=64,128,256", "probe.epochs=[0]"])
        #expect(spec.points.count == 3)
        #expect(spec.points.allSatisfy { $0.experiment.train.lr == 0.05 && $0.experiment.probe.epochs == [0] })
        #expect(spec.points.map { $0.experiment.model.widths[0] } == [64, 128, 256])
        #expect(spec.sweptPaths == ["model.width"])
    }

    @Test("the resolved spec written as JSON decodes to the same spec")
    func roundTrip() throws {
        let spec = try Self.load("model:\n  widths: [32, 16]\ntrain:\n  lr: {grid: [0.1, 0.2]}\ndata:\n  train_size: 100\n")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for p in spec.points {
            let data = try encoder.encode(p.experiment)
            #expect(try JSONDecoder().decode(Experiment.self, from: data) == p.experiment)
        }
    }
}
