import Datasets
import ExperimentSpec
import Foundation
import ResultBundles

/// Parameters of a `data` stage: what to load and how to prepare it.
public struct DataParams: Codable, Sendable, Hashable {
    public var data: DataSpec
    /// Size and modification time of each file in the dataset's directory (`name → "size@mtime"`),
    /// so replacing the files changes the key and every cached stage downstream; nil for
    /// generated data.
    public var files: [String: String]?

    /// The stamp of the files a data spec reads.
    static func stamp(_ spec: DataSpec) -> [String: String]? {
        let directory: String
        let fm = FileManager.default
        switch spec.dataset {
        case .arrays:
            // Each file named, by its absolute path (the arrays need not share a directory), with the
            // time to the microsecond: a script that rewrites its arrays within a second still changes the key.
            var out: [String: String] = [:]
            for path in spec.arrays?.files ?? [] {
                guard let a = try? fm.attributesOfItem(atPath: path), let size = a[.size] as? Int,
                      let date = a[.modificationDate] as? Date else { out[path] = "missing"; continue }
                out[path] = "\(size)@" + String(format: "%.6f", date.timeIntervalSince1970)
            }
            return out
        case .fashionMNIST: directory = spec.path ?? FashionMNIST.defaultDirectory
        case .cifar10: directory = spec.path ?? CIFAR10.defaultDirectory
        case .cifar100: directory = spec.path ?? CIFAR100.defaultDirectory
        case .manifold, .clusters: return nil
        }
        var out: [String: String] = [:]
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let a = try? fm.attributesOfItem(atPath: directory + "/" + name), (a[.type] as? FileAttributeType) == .typeRegular,
                  let size = a[.size] as? Int, let date = a[.modificationDate] as? Date else { continue }
            out[name] = "\(size)@\(Int(date.timeIntervalSince1970))"
        }
        return out
    }
}

/// Parameters of a `train` stage: the network, its training, and the epochs to checkpoint.
public struct TrainParams: Codable, Sendable, Equatable {
    public var model: ModelSpec
    public var train: TrainSpec
    /// Epochs after which a checkpoint is written (0 = untrained).
    public var checkpoints: [Int]
    /// SHA-256 of `model.init_from`'s file, so a changed starting checkpoint changes the key.
    public var initFromSHA256: String?
    /// Global optimizer-step counts at which a checkpoint `step<N>.safetensors` is written (0 =
    /// untrained). Nil when the spec probes no steps, so existing train stages keep their keys.
    public var checkpointSteps: [Int]? = nil
    /// Threads the stage splits each batch across (`execution.threads`), which fixes the order of
    /// some sums and so the last bits; nil for one thread, so that those stages keep their keys.
    public var threads: Int? = nil

    enum CodingKeys: String, CodingKey {
        case model, train, checkpoints, threads
        case initFromSHA256 = "init_from_sha256"
        case checkpointSteps = "checkpoint_steps"
    }
}

/// Parameters of a `probe` stage: which checkpoint, which probe set, which layers.
public struct ProbeParams: Codable, Sendable, Equatable {
    /// The epoch probed; for a step probe, the epoch in progress at ``step`` (⌈step / S⌉).
    public var epoch: Int
    public var size: Int
    public var split: Split
    public var seed: UInt64
    public var layers: [String]
    /// A step probe: the checkpoint after this many optimizer steps. Nil for an epoch probe.
    public var step: Int? = nil
    /// Threads the stage splits its batches across, as for ``TrainParams/threads``; nil for one.
    public var threads: Int? = nil

    /// The train stage's checkpoint this probe reads, relative to the stage's directory.
    var checkpointFile: String {
        step.map { "checkpoints/step\($0).safetensors" } ?? "checkpoints/epoch\(epoch).safetensors"
    }
}

/// Parameters of an `estimate` stage: one layer, one estimator with its settings.
public struct EstimateParams: Codable, Sendable, Equatable {
    public var layer: String
    public var estimator: String
    public var settings: [String: String]

    /// The setting that asks for an estimate per class besides the pooled one; present (as
    /// `"true"`) only when asked for, so other estimate stages keep their keys.
    public static let perClassKey = EstimatorsSpec.perClassKey

    /// The same bytes as `StageKeys.canonicalJSON(self)`, written directly: a large sweep has tens
    /// of thousands of estimate stages and this is the hot path of planning.
    func canonicalJSON() -> Data {
        var w = CanonicalJSONWriter()
        w.beginObject()
        w.key("estimator"); w.string(estimator)
        w.key("layer"); w.string(layer)
        w.key("settings"); w.stringMap(settings)
        w.endObject()
        return w.data
    }
}

/// What a stage does, with its typed parameters.
public enum StageWork: Sendable, Equatable {
    case data(DataParams)
    case train(TrainParams)
    case probe(ProbeParams)
    case estimate(EstimateParams)
    case importActivations(ImportParams)
    case aggregate(AggregateParams)
    case claims(ClaimsParams)
    case report(ReportParams)

    public var kind: StageKind {
        switch self {
        case .data: return .data
        case .train: return .train
        case .probe: return .probe
        case .estimate: return .estimate
        case .importActivations: return .importActivations
        case .aggregate: return .aggregate
        case .claims: return .claims
        case .report: return .report
        }
    }

    func paramsJSON() throws -> Data {
        switch self {
        case .data(let p): return try StageKeys.canonicalJSON(p)
        case .train(let p): return try p.canonicalJSON()
        case .probe(let p): return p.canonicalJSON()
        case .estimate(let p): return p.canonicalJSON()
        case .importActivations(let p): return try StageKeys.canonicalJSON(p)
        case .aggregate(let p): return try p.canonicalJSON()
        case .claims(let p): return try p.canonicalJSON()
        case .report(let p): return try p.canonicalJSON()
        }
    }

    /// The same work, run without `missing` inputs (tolerant kinds only).
    func without(_ missing: [MissingInput]) -> StageWork {
        switch self {
        case .aggregate(var p): p.missing = missing; return .aggregate(p)
        case .claims(var p): p.missing = missing; return .claims(p)
        case .report(var p): p.missing = missing; return .report(p)
        default: preconditionFailure("[StageWork] \(kind.rawValue) stages do not run without their inputs")
        }
    }
}

/// One node of the stage graph.
public struct Stage: Sendable {
    /// Content hash of kind, format version, parameters and input keys.
    public var key: String
    /// Readable identity, stable across parameter changes, e.g. `train[width=128]`.
    public var name: String
    public var work: StageWork
    /// Keys of the stages whose outputs this one reads, in a fixed order.
    public var inputs: [String]
    /// Run points this stage serves (shared stages serve several).
    public var points: [Int]
    /// Canonical JSON of the parameters.
    public var params: Data

    public var kind: StageKind { work.kind }
}

extension StageDefinition {
    init(_ stage: Stage) throws {
        self.init(key: stage.key, kind: stage.kind, name: stage.name, formatVersion: stage.kind.formatVersion,
                  inputs: stage.inputs, params: try JSONDecoder().decode(JSONValue.self, from: stage.params))
    }

    /// The stage this definition describes, keeping its recorded key.
    public func stage() throws -> Stage {
        Stage(key: key, name: name, work: try work(), inputs: inputs, points: [],
              params: try StageKeys.canonicalJSON(params))
    }

    /// The typed work this definition describes.
    func work() throws -> StageWork {
        let data = try StageKeys.canonicalJSON(params)
        let d = JSONDecoder()
        switch kind {
        case .data: return .data(try d.decode(DataParams.self, from: data))
        case .train: return .train(try d.decode(TrainParams.self, from: data))
        case .probe: return .probe(try d.decode(ProbeParams.self, from: data))
        case .estimate: return .estimate(try d.decode(EstimateParams.self, from: data))
        case .importActivations: return .importActivations(try d.decode(ImportParams.self, from: data))
        case .aggregate: return .aggregate(try d.decode(AggregateParams.self, from: data))
        case .claims: return .claims(try d.decode(ClaimsParams.self, from: data))
        case .report: return .report(try d.decode(ReportParams.self, from: data))
        }
    }
}
