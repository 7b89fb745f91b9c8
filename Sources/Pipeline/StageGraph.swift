import Claims
import Crypto
import ExperimentSpec
import Foundation
import ResultBundles
import Tensors

/// The stages of an expanded spec, deduplicated by key, in a topological order.
///
/// One `data` stage per distinct data spec, one `train` per run point, one `probe` per
/// checkpoint, one `estimate` per probed layer and estimator. Run points that share a stage's
/// inputs and parameters share the stage itself.
public struct StageGraph: Sendable {
    /// Stages in dependency order (inputs before dependants).
    public private(set) var stages: [Stage] = []
    private var index: [String: Int] = [:]

    /// For each run point: its train stage and, per (epoch, layer, estimator), its estimate stage.
    public private(set) var pointStages: [Int: PointStages] = [:]

    public struct PointStages: Sendable {
        /// The data and train stages; nil for imported activations, whose ``probes`` are
        /// their import stages.
        public var data: String?
        public var train: String?
        public var probes: [Int: String]
        /// Step probes by global optimizer step.
        public var stepProbes: [Int: String] = [:]
        /// (epoch or step, layer, estimator) → estimate stage key.
        public var estimates: [EstimateSlot: String]
    }

    public struct EstimateSlot: Hashable, Sendable {
        public var epoch: Int
        public var layer: String
        public var layerIndex: Int
        public var estimator: String
        /// A step probe's global optimizer step (its ``epoch`` is the epoch in progress); nil for
        /// an epoch probe.
        public var step: Int? = nil

        /// Epoch probes first, then step probes, each in time order.
        var order: (Int, Int, Int) { step.map { (1, $0, epoch) } ?? (0, epoch, 0) }
    }

    public var count: Int { stages.count }

    public func stage(_ key: String) -> Stage? { index[key].map { stages[$0] } }

    /// The position of a stage of this graph in ``stages``.
    func index(of key: String) -> Int {
        guard let i = index[key] else { preconditionFailure("[StageGraph] no stage \(key)") }
        return i
    }

    /// Keys of the stages that read `key`'s outputs, directly or not.
    public func dependants(of key: String) -> Set<String> {
        var out: Set<String> = [key]
        for s in stages where s.inputs.contains(where: out.contains) { out.insert(s.key) }
        out.remove(key)
        return out
    }

    @discardableResult
    mutating func add(_ work: StageWork, name: String, inputs: [String], point: Int) throws -> String {
        try add(work, name: name, inputs: inputs, points: [point])
    }

    @discardableResult
    mutating func add(_ work: StageWork, name: String, inputs: [String], points: [Int]) throws -> String {
        let params = try work.paramsJSON()
        let key = StageKeys.key(kind: work.kind, params: params, inputs: inputs)
        if index[key] != nil {
            for point in points { add(point: point, to: key) }
            return key
        }
        index[key] = stages.count
        stages.append(Stage(key: key, name: name, work: work, inputs: inputs, points: points, params: params))
        return key
    }

    /// Records that run point `point` is served by the stage `key` too.
    mutating func add(point: Int, to key: String) {
        let i = index(of: key)
        // Points arrive in order, so the last one is the likely duplicate.
        if stages[i].points.last != point && !stages[i].points.contains(point) { stages[i].points.append(point) }
    }

    /// The run's `aggregate` and `report` stages.
    public private(set) var summaries: Summaries?

    public struct Summaries: Sendable {
        public var aggregate: String
        /// Present when the spec declares claims.
        public var claims: String?
        public var report: String
    }

    /// Compiles every run point of a spec, then the stages that summarise the whole run.
    ///
    /// - Parameter provenance: what the report says about the tool and machine (default: this
    ///   process's ``Provenance``).
    /// - Complexity: O(points × epochs × layers × estimators).
    public static func compile(_ spec: LoadedSpec, provenance: Provenance? = nil) throws -> StageGraph {
        var g = try compilePoints(spec)
        try g.addSummaries(spec, provenance: (provenance ?? Provenance.current(for: spec)).reportEntries)
        return g
    }

    static func compilePoints(_ spec: LoadedSpec) throws -> StageGraph {
        var g = StageGraph()
        // A sweep usually shares one data spec: its stage is stamped, encoded and keyed once.
        var dataStages: [DataSpec: String] = [:]
        for point in spec.points {
            let e = point.experiment
            let label = point.label
            if let activations = e.activations {
                try g.addImported(activations, point: point)
                continue
            }
            let data: String
            if let key = dataStages[e.data] {
                data = key
                g.add(point: point.index, to: key)
            } else {
                data = try g.add(.data(DataParams(data: e.data, files: DataParams.stamp(e.data))), name: "data[\(dataLabel(e.data))]",
                                 inputs: [], point: point.index)
                dataStages[e.data] = data
            }
            let initHash = try e.model.initFrom.map { path -> String in
                Hex.string(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            // Train and probe stages split their batches across the run's threads (one: key unchanged).
            let splitThreads = e.execution.threads > 1 ? e.execution.threads : nil
            let train = try g.add(.train(TrainParams(model: e.model, train: e.train, checkpoints: e.probe.epochs,
                                                     initFromSHA256: initHash, checkpointSteps: e.probe.steps,
                                                     threads: splitThreads)),
                                  name: "train[\(label)]", inputs: [data], point: point.index)
            var probes: [Int: String] = [:]
            var stepProbes: [Int: String] = [:]
            var estimates: [EstimateSlot: String] = [:]
            let layers = e.probedLayers
            let perEpoch = e.train.stepsPerEpoch(trainCount: (e.probe.steps == nil ? e.data.splitSizes : ArraysCheck.splitSizes(e.data))?.train ?? e.train.batchSize)
            let times = e.probe.epochs.map { (epoch: $0, step: Int?.none) }
                + (e.probe.steps ?? []).map { (epoch: ($0 + perEpoch - 1) / perEpoch, step: Optional($0)) }
            for (epoch, step) in times {
                let at = step.map { "step=\($0)" } ?? "epoch=\(epoch)"
                let probe = try g.add(.probe(ProbeParams(epoch: epoch, size: e.probe.size, split: e.probe.split,
                                                          seed: e.probe.seed, layers: layers, step: step,
                                                          threads: splitThreads)),
                                      name: "probe[\(label),\(at)]", inputs: [data, train], point: point.index)
                if let step { stepProbes[step] = probe } else { probes[epoch] = probe }
                try g.addEstimates(e, point: point, epoch: epoch, step: step, probe: probe, into: &estimates)
            }
            g.pointStages[point.index] = PointStages(data: data, train: train, probes: probes, stepProbes: stepProbes, estimates: estimates)
        }
        return g
    }

    /// Adds one estimate stage per layer and estimator of one probe (or import) stage.
    mutating func addEstimates(_ e: Experiment, point: RunPoint, epoch: Int, step: Int?, probe: String,
                               into estimates: inout [EstimateSlot: String]) throws {
        let at = step.map { "step=\($0)" } ?? "epoch=\(epoch)"
        let layerNames = e.layerNames, estimators = e.estimators.configured
        for layer in e.probedLayers {
            let layerIndex = layerNames.firstIndex(of: layer) ?? 0
            for estimator in estimators {
                // Resampling draws from the run point's root seed and this estimate's path.
                let path = step.map { "estimate/step\($0)" } ?? "estimate/\(epoch)"
                var stream = RandomStream(seed: e.train.seed, path: "\(path)/\(layer)/\(estimator.name)")
                var settings = estimator.settings
                settings["seed"] = String(stream.next() >> 11)
                let key = try add(.estimate(EstimateParams(layer: layer, estimator: estimator.name, settings: settings)),
                                  name: "estimate[\(point.label),\(at),\(layer),\(estimator.name)]",
                                  inputs: [probe], point: point.index)
                estimates[EstimateSlot(epoch: epoch, layer: layer, layerIndex: layerIndex, estimator: estimator.name, step: step)] = key
            }
        }
    }

    /// Compiles a run point of imported activations: per epoch, an import stage (keyed by its
    /// files' sizes and modification times) in place of train and probe, then the estimates.
    mutating func addImported(_ activations: ActivationsSpec, point: RunPoint) throws {
        let e = point.experiment
        var probes: [Int: String] = [:]
        var estimates: [EstimateSlot: String] = [:]
        for epoch in activations.epochs {
            let key = try add(.importActivations(ImportParams(activations, epoch: epoch, seed: e.train.seed)),
                              name: "import[\(point.label),epoch=\(epoch)]", inputs: [], point: point.index)
            probes[epoch] = key
            try addEstimates(e, point: point, epoch: epoch, step: nil, probe: key, into: &estimates)
        }
        pointStages[point.index] = PointStages(data: nil, train: nil, probes: probes, estimates: estimates)
    }

    /// Adds the aggregate over every point's metrics and estimates, and the report on it.
    mutating func addSummaries(_ spec: LoadedSpec, provenance: [[String]]) throws {
        var inputs: [String] = []
        var position: [String: Int] = [:]
        func input(_ key: String) -> Int {
            if let i = position[key] { return i }
            position[key] = inputs.count
            inputs.append(key)
            return inputs.count - 1
        }
        var points: [AggregateParams.Point] = []
        var cells: [AggregateParams.Cell] = []
        var data: [AggregateParams.DataInput] = []
        for point in spec.points {
            guard let ps = pointStages[point.index] else { continue }
            if let key = ps.data, position[key] == nil, let d = stage(key) { data.append(.init(name: d.name, input: input(key))) }
            let train = ps.train.map(input)
            var own = (train.map { [$0] } ?? []) + ps.probes.keys.sorted().compactMap { ps.probes[$0].map(input) }
                + ps.stepProbes.keys.sorted().compactMap { ps.stepProbes[$0].map(input) }
            let slots = ps.estimates.keys.sorted {
                let a = $0.order, b = $1.order
                return (a.0, a.1, a.2, $0.layerIndex, $0.estimator) < (b.0, b.1, b.2, $1.layerIndex, $1.estimator)
            }
            for slot in slots {
                guard let key = ps.estimates[slot] else { continue }
                let position = input(key)
                own.append(position)
                cells.append(.init(point: point.index, epoch: slot.epoch, layer: slot.layer, layerIndex: slot.layerIndex,
                                   estimator: slot.estimator, input: position, step: slot.step))
            }
            points.append(.init(index: point.index, label: point.label, values: point.assignments.map(\.value),
                                configuration: point.configuration, replicate: point.replicate,
                                settings: point.experiment.tableColumns.map(\.value), train: train, stages: own))
        }
        let configurations = ClaimData.configurations(of: spec)
        let aggregate = try add(.aggregate(AggregateParams(sweptPaths: spec.sweptPaths, configurationPaths: spec.configurationPaths,
                                                           configurations: configurations,
                                                           settingsPaths: spec.points[0].experiment.tableColumns.map(\.path),
                                                           points: points, cells: cells,
                                                           data: data, missing: nil)),
                                name: "aggregate", inputs: inputs, points: spec.points.map(\.index))
        var claims: String?
        if !spec.claims.isEmpty {
            let options = ClaimOptions(seed: spec.points[0].experiment.train.seed)
            claims = try add(.claims(ClaimsParams(claims: spec.claims, configurations: configurations, options: options, missing: nil)),
                             name: "claims", inputs: [aggregate], points: spec.points.map(\.index))
        }
        let first = spec.points[0].experiment
        let resolved = String(decoding: try StableJSON.encode(ResolvedSpec(spec)), as: UTF8.self)
        let report = try add(.report(ReportParams(name: first.name, description: first.description, resolvedSpec: resolved,
                                                  provenance: provenance, missing: nil)),
                             name: "report", inputs: [aggregate] + (claims.map { [$0] } ?? []), points: spec.points.map(\.index))
        summaries = Summaries(aggregate: aggregate, claims: claims, report: report)
    }

    static func dataLabel(_ d: DataSpec) -> String {
        var parts = [d.dataset.rawValue]
        if let n = d.trainSize { parts.append("train=\(n)") }
        if let n = d.testSize { parts.append("test=\(n)") }
        return parts.joined(separator: ",")
    }
}
