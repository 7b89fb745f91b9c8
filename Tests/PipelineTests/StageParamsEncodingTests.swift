import AccordionTestSupport
import Claims
import Foundation
import ResultBundles
import Statistics
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// The hand-written canonical encodings of stage parameters write the bytes `JSONEncoder` writes,
/// so switching to them moved no stage key.
@Suite("Stage parameter encodings")
struct StageParamsEncodingTests {
    /// Seeded draws (SplitMix64), so a failing case can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var stream: SplitMix64
        init(state: UInt64) { stream = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { stream.next() }
        mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }
        mutating func maybe<T>(_ make: (inout Generator) -> T) -> T? { Bool.random(using: &self) ? make(&self) : nil }
        mutating func list<T>(_ upTo: Int, _ make: (inout Generator) -> T) -> [T] {
            var out: [T] = []
            for _ in 0..<Int.random(in: 0...upTo, using: &self) { out.append(make(&self)) }
            return out
        }

        static let strings = ["", "a", "h1", "last_hidden", "quote\"d", "back\\slash", "sl/ash", "</script>", "new\nline",
                              "\t\r\u{08}\u{0C}", "\u{00}\u{01}\u{1F}", "del\u{7F}", "é", "e\u{301}", "ü", "日本語", "😀x",
                              "\u{2028}\u{2029}", "\u{FEFF}bom", "width=128,seed=2", String(repeating: "long ", count: 40)]
        static let doubles: [Double] = [0, -0.0, 0.1, 0.2, 1.0 / 3, 1e-8, 1e-5, 0.0001, .leastNonzeroMagnitude, 2.2250738585072014e-308,
                                        1, 2, 100, 0.9, 0.999, 0.95, 0.05, 1e15, 1e16, 1e20, 1e21, 123456789.125, -3.5,
                                        -1e-300, 1.7976931348623157e308, 4503599627370497]
        static let ints = [0, 1, -1, 7, 64, 1000, Int(Int32.max), Int.max, Int.min, Int.max - 1]
        static let seeds: [UInt64] = [0, 1, 42, UInt64(Int64.max), 1 << 63, UInt64.max]

        mutating func string() -> String {
            // Some strings are joined from two of the odd ones, so escapes land mid-string.
            let first = pick(Self.strings)
            return Bool.random(using: &self) ? first : first + pick(Self.strings)
        }
        mutating func double() -> Double { Bool.random(using: &self) ? pick(Self.doubles) : Double.random(in: -1e6...1e6, using: &self) }
        mutating func int() -> Int { Bool.random(using: &self) ? pick(Self.ints) : Int.random(in: -10_000...10_000, using: &self) }
        mutating func seed() -> UInt64 { Bool.random(using: &self) ? pick(Self.seeds) : next() }
        mutating func strings(_ upTo: Int = 4) -> [String] { list(upTo) { $0.string() } }
        mutating func ints(_ upTo: Int = 4) -> [Int] { list(upTo) { $0.int() } }
        mutating func stringMap() -> [String: String] {
            Dictionary(list(5) { ($0.string(), $0.string()) }, uniquingKeysWith: { a, _ in a })
        }
        mutating func missing() -> [MissingInput]? {
            maybe { $0.list(2) { g in
                MissingInput(key: g.string(), name: g.string(), status: g.pick(StageStatus.allCases), reason: g.string(),
                             points: g.maybe { $0.ints() })
            } }
        }
        mutating func configurations() -> [ClaimConfiguration] {
            list(4) { g in
                ClaimConfiguration(index: g.int(), label: g.string(), assignments: g.stringMap(), layerNames: g.strings(),
                                   probedLayers: g.strings(), lastEpoch: g.int())
            }
        }
    }

    static let cases = 300

    /// A resolved experiment to vary, with every member present.
    static func baseExperiment() throws -> Experiment {
        try SpecLoader.load(data: Data("name: enc\nmodel: {depth: 2, width: 8}\n".utf8), file: "enc.yaml", defaultName: "enc")
            .points[0].experiment
    }

    static func expectSame(_ fast: Data, _ reference: Data, _ what: String, seed: UInt64) {
        #expect(fast == reference, """
            \(what), seed \(seed):
            hand-written: \(String(decoding: fast, as: UTF8.self))
            JSONEncoder:  \(String(decoding: reference, as: UTF8.self))
            """)
    }

    @Test("train parameters: every model and training member set and unset, odd strings and numbers")
    func train() throws {
        let base = try Self.baseExperiment()
        for seed in 0..<UInt64(2 * Self.cases) {
            var g = Generator(state: seed)
            var m = base.model
            m.architecture = g.pick(ArchitectureName.allCases)
            m.widths = g.ints()
            m.channels = g.ints()
            m.kernelSize = g.int()
            m.pooling = g.pick(PoolingName.allCases)
            m.batchNorm = Bool.random(using: &g)
            m.dropout = g.double()
            m.resnetDepth = g.int()
            m.baseWidth = g.int()
            m.activation = g.pick(Activation.allCases)
            m.initializer = g.pick(InitName.allCases)
            m.initFrom = g.maybe { $0.string() }
            var t = base.train
            t.optimizer = g.pick(OptimizerName.allCases)
            t.lr = g.double()
            t.momentum = g.double()
            t.nesterov = Bool.random(using: &g)
            t.weightDecay = g.double()
            t.beta1 = g.double()
            t.beta2 = g.double()
            t.eps = g.double()
            t.schedule = g.pick(ScheduleName.allCases)
            t.stepSize = g.int()
            t.gamma = g.double()
            t.warmupEpochs = g.int()
            t.loss = g.pick(LossName.allCases)
            t.batchSize = g.int()
            t.epochs = g.int()
            t.seed = g.seed()
            t.noiseBatches = g.int()
            t.fullBatch = g.maybe { Bool.random(using: &$0) }
            t.steps = g.maybe { $0.int() }
            t.targetLoss = g.maybe { $0.double() }
            let p = TrainParams(model: m, train: t, checkpoints: g.ints(), initFromSHA256: g.maybe { $0.string() },
                                checkpointSteps: g.maybe { $0.ints() }, threads: g.maybe { $0.int() })
            Self.expectSame(try p.canonicalJSON(), try StageKeys.canonicalJSON(p), "train", seed: seed)
        }
    }

    @Test("probe parameters: epoch and step probes, odd layer names, seeds at the limits")
    func probe() throws {
        for seed in 0..<UInt64(Self.cases) {
            var g = Generator(state: seed)
            let p = ProbeParams(epoch: g.int(), size: g.int(), split: g.pick([.train, .test]), seed: g.seed(),
                                layers: g.strings(), step: g.maybe { $0.int() }, threads: g.maybe { $0.int() })
            Self.expectSame(p.canonicalJSON(), try StageKeys.canonicalJSON(p), "probe", seed: seed)
        }
    }

    @Test("estimate parameters: settings keys that sort differently by bytes and by case")
    func estimate() throws {
        for seed in 0..<UInt64(Self.cases) {
            var g = Generator(state: seed)
            var settings = g.stringMap()
            if Bool.random(using: &g) { settings.merge(["K": "1", "k10": "2", "k2": "3", "_x": "4", "é": "5"]) { a, _ in a } }
            let p = EstimateParams(layer: g.string(), estimator: g.string(), settings: settings)
            Self.expectSame(p.canonicalJSON(), try StageKeys.canonicalJSON(p), "estimate", seed: seed)
        }
    }

    @Test("aggregate parameters: points with and without settings, step cells, missing inputs")
    func aggregate() throws {
        for seed in 0..<UInt64(Self.cases) {
            var g = Generator(state: seed)
            let points = g.list(4) { g in
                AggregateParams.Point(index: g.int(), label: g.string(), values: g.strings(), configuration: g.int(),
                                      replicate: g.int(), settings: g.maybe { $0.strings() }, train: g.int(), stages: g.ints(6))
            }
            let cells = g.list(6) { g in
                AggregateParams.Cell(point: g.int(), epoch: g.int(), layer: g.string(), layerIndex: g.int(),
                                     estimator: g.string(), input: g.int(), step: g.maybe { $0.int() })
            }
            let p = AggregateParams(sweptPaths: g.strings(), configurationPaths: g.strings(), configurations: g.configurations(),
                                    settingsPaths: g.maybe { $0.strings() }, points: points, cells: cells,
                                    data: g.list(2) { g in .init(name: g.string(), input: g.int()) }, missing: g.missing())
            Self.expectSame(try p.canonicalJSON(), try StageKeys.canonicalJSON(p), "aggregate", seed: seed)
        }
    }

    @Test("claims parameters: the spec's claims, configurations, options at odd values")
    func claims() throws {
        let spec = try SpecLoader.load(data: Data("""
            name: enc
            model: {depth: 2, width: {grid: [8, 16]}}
            train: {epochs: 2}
            replicates: 3
            probe: {epochs: [0, 2]}
            estimators: {pr: {}}
            claims:
              - id: "compression \\"quoted\\" / é"
                statement: Training lowers the PR of the last hidden layer.
                estimator: pr
                kind: cells
                cell: {layer: last_hidden, epoch: last}
                baseline: {layer: last_hidden, epoch: 0}
                direction: decrease

            """.utf8), file: "enc.yaml", defaultName: "enc")
        #expect(!spec.claims.isEmpty)
        for seed in 0..<UInt64(Self.cases) {
            var g = Generator(state: seed)
            let options = ClaimOptions(alpha: g.double(), level: g.double(), resamples: g.int(), seed: g.seed())
            let p = ClaimsParams(claims: Bool.random(using: &g) ? spec.claims : [], configurations: g.configurations(),
                                 options: options, missing: g.missing())
            Self.expectSame(try p.canonicalJSON(), try StageKeys.canonicalJSON(p), "claims", seed: seed)
        }
    }

    @Test("report parameters: a real resolved spec and odd text")
    func report() throws {
        let spec = try SpecLoader.load(data: Data("name: enc\nmodel: {depth: 2, width: {grid: [8, 16]}}\n".utf8),
                                       file: "enc.yaml", defaultName: "enc")
        let resolved = String(decoding: try StableJSON.encode(ResolvedSpec(spec)), as: UTF8.self)
        for seed in 0..<UInt64(Self.cases) {
            var g = Generator(state: seed)
            let p = ReportParams(name: g.string(), description: g.string(),
                                 resolvedSpec: Bool.random(using: &g) ? resolved : g.string(),
                                 provenance: g.list(4) { $0.strings(3) }, missing: g.missing())
            Self.expectSame(try p.canonicalJSON(), try StageKeys.canonicalJSON(p), "report", seed: seed)
        }
    }

    @Test("a non-finite number is refused, as JSONEncoder refuses it")
    func nonFinite() throws {
        var t = try Self.baseExperiment().train
        t.lr = .nan
        let p = TrainParams(model: try Self.baseExperiment().model, train: t, checkpoints: [0])
        #expect(throws: EncodingError.self) { try p.canonicalJSON() }
        #expect(throws: EncodingError.self) { try StageKeys.canonicalJSON(p) }
    }

    @Test("every stage of a compiled sweep with replicates, step probes and claims carries JSONEncoder's bytes")
    func compiledGraph() throws {
        let spec = try SpecLoader.load(data: Data("""
            name: enc
            data: {train_size: 640, test_size: 100}
            model: {depth: 2, width: {grid: [8, 16]}}
            train: {epochs: 2, batch_size: 64}
            replicates: 2
            probe: {epochs: [0, 2], steps: [5, 12], size: 50}
            estimators: {pr: {}, twonn: {}, mle: {k: 5}}
            claims:
              - id: compression
                statement: Training lowers the PR of the last hidden layer.
                estimator: pr
                kind: cells
                cell: {layer: last_hidden, epoch: last}
                baseline: {layer: last_hidden, epoch: 0}
                direction: decrease

            """.utf8), file: "enc.yaml", defaultName: "enc")
        let graph = try StageGraph.compile(spec)
        var kinds = Set<StageKind>()
        for stage in graph.stages {
            kinds.insert(stage.kind)
            let reference: Data
            switch stage.work {
            case .data(let p): reference = try StageKeys.canonicalJSON(p)
            case .train(let p): reference = try StageKeys.canonicalJSON(p)
            case .probe(let p): reference = try StageKeys.canonicalJSON(p)
            case .estimate(let p): reference = try StageKeys.canonicalJSON(p)
            case .aggregate(let p): reference = try StageKeys.canonicalJSON(p)
            case .claims(let p): reference = try StageKeys.canonicalJSON(p)
            case .report(let p): reference = try StageKeys.canonicalJSON(p)
            case .importActivations(let p): reference = try StageKeys.canonicalJSON(p)
            }
            #expect(stage.params == reference, "\(stage.name)")
            #expect(stage.key == StageKeys.key(kind: stage.kind, params: reference, inputs: stage.inputs), "\(stage.name)")
        }
        // Every kind but the import of exported activations, which replaces train and probe in a
        // spec of its own (and is written by JSONEncoder itself).
        #expect(kinds == Set(StageKind.allCases).subtracting([.importActivations]), "the spec exercises every kind of trained stage")
    }

    @Test("the committed bundles' stage keys are recomputed, byte for byte, from their recorded parameters")
    func committedBundleKeys() throws {
        let root = TestSupport.repositoryRoot.appendingPathComponent("Results")
        var checked: [StageKind: Int] = [:]
        for bundle in BundleReader.bundles(under: root) {
            let stages = bundle.appendingPathComponent("stages")
            for name in try FileManager.default.contentsOfDirectory(atPath: stages.path).sorted() {
                let definition = try StageResult.read(from: stages.appendingPathComponent(name)).definition
                // A stage recorded under an older format version has, by design, another key now.
                guard definition.formatVersion == definition.kind.formatVersion else { continue }
                let work = try definition.work()
                let key = StageKeys.key(kind: definition.kind, params: try work.paramsJSON(), inputs: definition.inputs)
                #expect(key == definition.key, "\(bundle.lastPathComponent) \(definition.name)")
                checked[definition.kind, default: 0] += 1
            }
        }
        // The committed train, probe and summary stages predate their kinds' current format versions;
        // the estimates (over a thousand) and data stages do not.
        #expect(checked[.estimate, default: 0] > 1000 && checked[.data, default: 0] > 0, "\(checked)")
    }
}
