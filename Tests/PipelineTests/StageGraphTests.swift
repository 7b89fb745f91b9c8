import Foundation
import Testing
@testable import ExperimentSpec
@testable import Pipeline
import ResultBundles

/// The stage graph a spec compiles to, checked as a data structure: what is shared, what depends
/// on what, and that keys follow their inputs and nothing else.
@Suite("The stage graph")
struct StageGraphTests {
    static let spec = """
    name: graph
    data: {train_size: 1000, test_size: 300}
    model: {depth: 2, width: {grid: [16, 32]}}
    train: {epochs: 2, seed: 3}
    replicates: 2
    probe: {epochs: [0, 2], size: 100}
    estimators: {pr: {}, twonn: {}}

    """

    static func graph(_ yaml: String = spec) throws -> StageGraph {
        try StageGraph.compile(try SpecLoader.load(data: Data(yaml.utf8), file: "graph.yaml", defaultName: "graph"))
    }

    @Test("one data stage for the run, one train stage per point, one probe per point and epoch, one estimate per cell")
    func counts() throws {
        let g = try Self.graph()
        let byKind = Dictionary(grouping: g.stages, by: \.kind).mapValues(\.count)
        // 2 widths × 2 replicates = 4 points; layers input, h1, h2, logits; epochs 0 and 2; 2 estimators.
        #expect(byKind[.data] == 1 && byKind[.train] == 4 && byKind[.probe] == 8 && byKind[.estimate] == 4 * 2 * 4 * 2)
        #expect(byKind[.aggregate] == 1 && byKind[.report] == 1 && byKind[.claims] == nil)
        let data = try #require(g.stages.first { $0.kind == .data })
        #expect(data.points.sorted() == [0, 1, 2, 3])
        #expect(Set(g.stages.map(\.key)).count == g.count)
    }

    @Test("every stage comes after its inputs, and every input is a stage of the graph")
    func topologicalOrder() throws {
        let g = try Self.graph()
        var seen = Set<String>()
        for stage in g.stages {
            #expect(stage.inputs.allSatisfy(seen.contains), "\(stage.name) reads a stage that comes later or is missing")
            seen.insert(stage.key)
        }
    }

    @Test("a train stage's dependants are its own probes and estimates and the run's summaries, not another point's")
    func dependants() throws {
        let g = try Self.graph()
        let trains = g.stages.filter { $0.kind == .train }
        let first = try #require(trains.first), other = try #require(trains.last)
        let down = g.dependants(of: first.key)
        let own = g.stages.filter { ($0.kind == .probe || $0.kind == .estimate) && $0.points == first.points }
        #expect(own.count == 2 + 2 * 4 * 2)
        #expect(own.allSatisfy { down.contains($0.key) })
        #expect(g.stages.filter { $0.kind == .aggregate || $0.kind == .report }.allSatisfy { down.contains($0.key) })
        #expect(!down.contains(other.key) && !down.contains(where: { key in g.stage(key)?.points == other.points && g.stage(key)?.kind == .probe }))
        #expect(g.dependants(of: g.stages[0].key).count == g.count - 1)
    }

    @Test("keys are the same on every compile, and a changed estimator setting changes only estimates and summaries")
    func keysFollowInputs() throws {
        let a = try Self.graph(), b = try Self.graph()
        #expect(a.stages.map(\.key) == b.stages.map(\.key))
        let changed = try Self.graph(Self.spec.replacingOccurrences(of: "twonn: {}", with: "twonn: {discard_fraction: 0.2}"))
        let before = Dictionary(uniqueKeysWithValues: a.stages.map { ($0.name, $0) })
        for stage in changed.stages {
            let old = try #require(before[stage.name], "\(stage.name) is new")
            let moved = old.key != stage.key
            switch stage.kind {
            case .data, .train, .probe, .importActivations: #expect(!moved, "\(stage.name)")
            case .estimate: #expect(moved == stage.name.contains("twonn"), "\(stage.name)")
            case .aggregate, .report, .claims: #expect(moved, "\(stage.name)")
            }
        }
    }

    @Test("more than one thread moves the train and probe keys (their last bits depend on it), and nothing else")
    func threadsMoveNetworkStages() throws {
        let one = try Self.graph(Self.spec + "execution: {threads: 1}\n"), plain = try Self.graph()
        #expect(one.stages.map(\.key) == plain.stages.map(\.key), "threads: 1 is the default and keeps every key")
        let two = try Self.graph(Self.spec + "execution: {threads: 2}\n")
        let before = Dictionary(uniqueKeysWithValues: plain.stages.map { ($0.name, $0.key) })
        for stage in two.stages {
            let moved = before[stage.name] != stage.key
            switch stage.work {
            case .train(let p):
                #expect(p.threads == 2 && moved, "\(stage.name)")
            case .probe(let p):
                #expect(p.threads == 2 && moved, "\(stage.name)")
            case .data:
                #expect(!moved, "\(stage.name)")
            default:
                // Estimates read the probes' outputs, so their keys follow; the estimators' own
                // results do not depend on the thread count.
                #expect(moved, "\(stage.name)")
            }
        }
    }
}
