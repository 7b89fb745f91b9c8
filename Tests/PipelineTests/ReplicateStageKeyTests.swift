import Foundation
import Testing
@testable import ExperimentSpec
@testable import Pipeline
import ResultBundles

/// Claims and replicate numbering live outside the run points, so they never change the key of a
/// data, train, probe or estimate stage (the run-wide aggregate, claims and report stages read them).
@Suite("Stage keys under claims and replicates")
struct ReplicateStageKeyTests {
    static let base = """
    name: keys
    data: {train_size: 1000, test_size: 300}
    model: {depth: 2, width: {grid: [16, 32]}}
    train: {epochs: 2, seed: 3}
    probe: {epochs: [0, 2], size: 100}

    """

    static func keys(_ yaml: String) throws -> [String] {
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "keys.yaml", defaultName: "keys")
        return try StageGraph.compile(spec).stages.filter { !$0.kind.toleratesMissingInputs }.map(\.key)
    }

    @Test("adding or editing claims leaves every point stage's key as it was; a claims stage appears")
    func claimsChangeNoKey() throws {
        let claim = "claims:\n  - {id: c, statement: s, estimator: pr, kind: cells, direction: decrease,"
            + " cell: {layer: last_hidden, epoch: last}, baseline: {layer: last_hidden, epoch: 0}}\n"
        let plain = try Self.keys(Self.base)
        #expect(try Self.keys(Self.base + claim) == plain)
        #expect(try Self.keys(Self.base + claim.replacingOccurrences(of: "decrease", with: "increase")) == plain)
        #expect(plain.count == 1 + 2 + 4 + 2 * 2 * 4, "data, 2 train, 4 probe, 16 estimate")
        let spec = try SpecLoader.load(data: Data((Self.base + claim).utf8), file: "keys.yaml", defaultName: "keys")
        let graph = try StageGraph.compile(spec)
        #expect(graph.stages.filter { $0.kind.toleratesMissingInputs }.map(\.kind) == [.aggregate, .claims, .report])
    }

    @Test("replicates: 1 is the spec without replicates; replicates: 2 keeps replicate 0's stages")
    func replicateKeys() throws {
        let plain = try Self.keys(Self.base)
        #expect(try Self.keys(Self.base + "replicates: 1\n") == plain)
        let two = try Self.keys(Self.base + "replicates: 2\n")
        #expect(Set(plain).isSubset(of: Set(two)), "seed 3 is replicate 0: its stages are reused")
        #expect(two.count == 1 + 2 * (plain.count - 1))
    }

    @Test("probe replicates share the training stages")
    func probeReplicatesShareTraining() throws {
        let spec = try SpecLoader.load(data: Data((Self.base + "replicates: {train: 2, probe: 3}\n").utf8), file: "keys.yaml", defaultName: "keys")
        let graph = try StageGraph.compile(spec)
        #expect(spec.points.count == 12)
        #expect(graph.stages.filter { $0.kind == .train }.count == 4)
        #expect(graph.stages.filter { $0.kind == .probe }.count == 4 * 3 * 2)
    }
}
