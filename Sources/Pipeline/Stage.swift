import ExperimentSpec
import Foundation

/// Parameters of a `data` stage: what to load and how to prepare it.
public struct DataParams: Codable, Sendable, Hashable {
    public var data: DataSpec
}

/// Parameters of a `train` stage: the network, its training, and the epochs to checkpoint.
public struct TrainParams: Codable, Sendable, Equatable {
    public var model: ModelSpec
    public var train: TrainSpec
    /// Epochs after which a checkpoint is written (0 = untrained).
    public var checkpoints: [Int]
    /// SHA-256 of `model.init_from`'s file, so a changed starting checkpoint changes the key.
    public var initFromSHA256: String?

    enum CodingKeys: String, CodingKey {
        case model, train, checkpoints
        case initFromSHA256 = "init_from_sha256"
    }
}

/// Parameters of a `probe` stage: which checkpoint, which probe set, which layers.
public struct ProbeParams: Codable, Sendable, Equatable {
    public var epoch: Int
    public var size: Int
    public var split: Split
    public var seed: UInt64
    public var layers: [String]
}

/// Parameters of an `estimate` stage: one layer, one estimator with its settings.
public struct EstimateParams: Codable, Sendable, Equatable {
    public var layer: String
    public var estimator: String
    public var settings: [String: String]

    /// The same bytes as `StageKeys.canonicalJSON(self)`, written directly: a large sweep has tens
    /// of thousands of estimate stages and this is the hot path of planning.
    func canonicalJSON() -> Data {
        var out = "{\"estimator\":" + jsonString(estimator) + ",\"layer\":" + jsonString(layer) + ",\"settings\":{"
        out += settings.keys.sorted().map { jsonString($0) + ":" + jsonString(settings[$0]!) }.joined(separator: ",")
        out += "}}"
        return Data(out.utf8)
    }
}

/// A JSON string literal escaped as Foundation's `JSONEncoder` escapes it (slashes left alone).
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// What a stage does, with its typed parameters.
public enum StageWork: Sendable, Equatable {
    case data(DataParams)
    case train(TrainParams)
    case probe(ProbeParams)
    case estimate(EstimateParams)

    public var kind: StageKind {
        switch self {
        case .data: return .data
        case .train: return .train
        case .probe: return .probe
        case .estimate: return .estimate
        }
    }

    func paramsJSON() throws -> Data {
        switch self {
        case .data(let p): return try StageKeys.canonicalJSON(p)
        case .train(let p): return try StageKeys.canonicalJSON(p)
        case .probe(let p): return try StageKeys.canonicalJSON(p)
        case .estimate(let p): return p.canonicalJSON()
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

/// The definition of a stage as stored beside its outputs, enough to execute it in another
/// process (`accordion stage exec <key>`) and to explain why it reran.
public struct StageDefinition: Codable, Sendable {
    public var key: String
    public var kind: StageKind
    public var name: String
    public var formatVersion: Int
    public var inputs: [String]
    public var params: JSONValue

    enum CodingKeys: String, CodingKey {
        case key, kind, name, inputs, params
        case formatVersion = "format_version"
    }

    init(_ stage: Stage) throws {
        key = stage.key
        kind = stage.kind
        name = stage.name
        formatVersion = stage.kind.formatVersion
        inputs = stage.inputs
        params = try JSONDecoder().decode(JSONValue.self, from: stage.params)
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
        }
    }
}

/// Any JSON value, for storing and diffing parameters generically.
public enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 9e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Leaves as `dotted.path → text`, for explaining what changed.
    public func flattened(prefix: String = "") -> [String: String] {
        switch self {
        case .object(let o):
            var out: [String: String] = [:]
            for (k, v) in o { out.merge(v.flattened(prefix: prefix.isEmpty ? k : "\(prefix).\(k)")) { a, _ in a } }
            return out
        case .array(let a):
            return [prefix: "[" + a.map { $0.flattened().values.first ?? "" }.joined(separator: ",") + "]"]
        case .null: return [prefix: "null"]
        case .bool(let b): return [prefix: String(b)]
        case .number(let n): return [prefix: n == n.rounded() && abs(n) < 9e15 ? String(Int64(n)) : String(n)]
        case .string(let s): return [prefix: s]
        }
    }
}
