import Foundation

/// The definition of a stage as stored beside its outputs, enough to execute it in another
/// process (`accordion stage exec <key>`) and to explain why it reran.
public struct StageDefinition: Codable, Sendable, Equatable {
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

    public init(key: String, kind: StageKind, name: String, formatVersion: Int, inputs: [String], params: JSONValue) {
        self.key = key
        self.kind = kind
        self.name = name
        self.formatVersion = formatVersion
        self.inputs = inputs
        self.params = params
    }
}

/// `stage.json`: the record a finished stage leaves beside its outputs.
public struct StageResult: JSONBundleFile, Sendable {
    public static let fileName = "stage.json"
    public var definition: StageDefinition
    public var status: StageStatus
    public var seconds: Double
    public var error: String?
    public var finished: String
    /// SHA-256 and size of every output file, so a cache hit can be checked before it is used.
    public var outputs: [FileRecord]?

    public init(definition: StageDefinition, status: StageStatus, seconds: Double, error: String?, finished: String,
                outputs: [FileRecord]? = nil) {
        self.definition = definition
        self.status = status
        self.seconds = seconds
        self.error = error
        self.finished = finished
        self.outputs = outputs
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
