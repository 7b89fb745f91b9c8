import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

@Suite("Replicates: configurations and their training seeds")
struct ReplicateTests {
    static func load(_ yaml: String, _ overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s", overrides: overrides)
    }

    @Test("replicates: n trains seeds train.seed … train.seed + n − 1 as consecutive points of one configuration")
    func seeds() throws {
        let spec = try Self.load("train: {seed: 7}\nreplicates: 3\n")
        #expect(spec.points.map(\.experiment.train.seed) == [7, 8, 9])
        #expect(spec.points.map(\.label) == ["seed=7", "seed=8", "seed=9"])
        #expect(spec.points.map(\.configurationLabel) == ["base", "base", "base"])
        #expect(spec.points.map(\.replicate) == [0, 1, 2] && spec.points.map(\.configuration) == [0, 0, 0])
        #expect(spec.configurationCount == 1 && spec.replicateCount == 3)
        #expect(spec.replicatePath == "train.seed" && spec.configurationPaths == [])
        // Replicates differ in the seed alone.
        var a = spec.points[0].experiment, b = spec.points[2].experiment
        a.train.seed = 0
        b.train.seed = 0
        #expect(a == b)
    }

    @Test("replicates are the innermost axis of a sweep")
    func withSweep() throws {
        let spec = try Self.load("model: {width: {grid: [64, 128]}}\nreplicates: 2\n")
        #expect(spec.points.map(\.label) == ["width=64,seed=0", "width=64,seed=1", "width=128,seed=0", "width=128,seed=1"])
        #expect(spec.points.map(\.configuration) == [0, 0, 1, 1] && spec.points.map(\.replicate) == [0, 1, 0, 1])
        #expect(spec.points.map(\.configurationLabel) == ["width=64", "width=64", "width=128", "width=128"])
        #expect(spec.configurationCount == 2 && spec.replicateCount == 2)
        let overridden = try Self.load("model: {width: 64}\n", ["replicates=4"])
        #expect(overridden.points.count == 4 && overridden.replicateCount == 4)
    }

    @Test("without replicates a spec expands exactly as before: points, labels, seeds, order")
    func unchanged() throws {
        let plain = "model: {width: {grid: [64, 128, 256]}}\ntrain: {lr: {zip: [0.1, 0.2]}, batch_size: {zip: [32, 64]}, seed: 3}\n"
        let spec = try Self.load(plain)
        #expect(spec.points.map(\.label) == ["width=64,lr=0.1,batch_size=32", "width=64,lr=0.2,batch_size=64",
                                             "width=128,lr=0.1,batch_size=32", "width=128,lr=0.2,batch_size=64",
                                             "width=256,lr=0.1,batch_size=32", "width=256,lr=0.2,batch_size=64"])
        #expect(spec.points.allSatisfy { $0.experiment.train.seed == 3 })
        #expect(spec.points.map(\.configuration) == Array(0..<6) && spec.points.allSatisfy { $0.replicate == 0 })
        #expect(spec.points.map(\.configurationLabel) == spec.points.map(\.label))
        #expect(spec.replicatePath == nil && spec.replicateCount == 1 && spec.configurationPaths == spec.sweptPaths)
        let one = try Self.load(plain + "replicates: 1\n")
        #expect(one.points == spec.points)
    }

    @Test("a grid sweep of train.seed is the replicate axis, wherever it is written")
    func seedGrid() throws {
        let spec = try Self.load("train: {seed: {grid: [1, 2]}}\nmodel: {width: {grid: [32, 64, 128]}}\n")
        #expect(spec.points.map(\.label) == ["seed=1,width=32", "seed=1,width=64", "seed=1,width=128",
                                             "seed=2,width=32", "seed=2,width=64", "seed=2,width=128"])
        #expect(spec.points.map(\.configuration) == [0, 1, 2, 0, 1, 2])
        #expect(spec.points.map(\.replicate) == [0, 0, 0, 1, 1, 1])
        #expect(spec.points.map(\.configurationLabel) == ["width=32", "width=64", "width=128", "width=32", "width=64", "width=128"])
        // A zipped seed moves with another key: it is part of the configuration.
        let zipped = try Self.load("train: {seed: {zip: [1, 2]}, lr: {zip: [0.1, 0.2]}}\n")
        #expect(zipped.replicatePath == nil && zipped.configurationCount == 2)
    }

    @Test("Experiments/width-sweep.yaml: 5 configurations × 3 replicates, the replicate innermost")
    func widthSweep() throws {
        let url = TestSupport.repositoryRoot.appendingPathComponent("Experiments/width-sweep.yaml")
        let spec = try SpecLoader.load(path: url.path)
        #expect(spec.points.count == 15 && spec.configurationCount == 5 && spec.replicateCount == 3)
        #expect(spec.points.prefix(4).map(\.label) == ["width=32,seed=1", "width=32,seed=2", "width=32,seed=3", "width=64,seed=1"])
        #expect(spec.points.prefix(4).map(\.experiment.train.seed) == [1, 2, 3, 1])
    }

    @Test("replicates: {train: 2, probe: 3} probes each trained network on three probe sets")
    func probeReplicates() throws {
        let spec = try Self.load("train: {seed: 1}\nprobe: {seed: 10}\nmodel: {width: {grid: [8, 16]}}\nreplicates: {train: 2, probe: 3}\n")
        #expect(spec.points.count == 12 && spec.configurationCount == 2 && spec.replicateCount == 2 && spec.probeReplicateCount == 3)
        let first = spec.points.prefix(6)
        #expect(first.map(\.experiment.train.seed) == [1, 1, 1, 2, 2, 2])
        #expect(first.map(\.experiment.probe.seed) == [10, 11, 12, 10, 11, 12])
        #expect(first.map(\.replicate) == [0, 0, 0, 1, 1, 1] && first.map(\.probeReplicate) == [0, 1, 2, 0, 1, 2])
        #expect(first.map(\.label) == ["width=8,seed=1,probe_seed=10", "width=8,seed=1,probe_seed=11", "width=8,seed=1,probe_seed=12",
                                       "width=8,seed=2,probe_seed=10", "width=8,seed=2,probe_seed=11", "width=8,seed=2,probe_seed=12"])
        #expect(spec.points.map(\.configuration) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        #expect(Set(spec.points.map(\.configurationLabel)) == ["width=8", "width=16"])
        #expect(spec.configurationPaths == ["model.width"])
        // A written sweep of probe.seed stays a configuration axis, labelled as before.
        let written = try Self.load("probe: {seed: {grid: [1, 2]}}\n")
        #expect(written.configurationCount == 2 && written.probeReplicatePath == nil && written.points.map(\.label) == ["seed=1", "seed=2"])
    }
}
