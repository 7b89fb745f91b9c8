import EstimatorVocabulary
import Foundation
import Yams

/// Reads the keys of one YAML mapping, remembering which were consumed so the rest can be
/// reported as unknown.
struct MapReader {
    let node: Node?
    let mapping: Node.Mapping?
    let path: [String]
    let ctx: DecodeContext
    private(set) var known: [String] = []
    /// The mapping's pairs with each key's text, read once: iterating a `Node.Mapping` copies
    /// its pairs, which made every key lookup allocate.
    private let keyTexts: [String?]
    private let keys: [Node]
    private let values: [Node]

    /// A reader over `node`; a missing node reads as an empty mapping (all defaults).
    init(_ node: Node?, path: [String], ctx: DecodeContext) {
        self.node = node
        self.path = path
        self.ctx = ctx
        switch node {
        case .none: mapping = nil
        case .some(.mapping(let m)): mapping = m
        case .some(let n) where isNull(n): mapping = nil
        case .some(let other):
            mapping = nil
            ctx.error(other, path, "'\(dotted(path))' must be a mapping of keys to values")
        }
        // One pass over the pairs: `Node.Mapping.keys` and `.values` would each copy them.
        var keys: [Node] = [], values: [Node] = [], texts: [String?] = []
        if let mapping {
            keys.reserveCapacity(mapping.count)
            values.reserveCapacity(mapping.count)
            texts.reserveCapacity(mapping.count)
            for (k, v) in mapping {
                keys.append(k)
                values.append(v)
                texts.append(k.scalarText)
            }
        }
        self.keys = keys
        self.values = values
        self.keyTexts = texts
    }

    func child(_ key: String) -> Node? {
        keyTexts.firstIndex(of: key).map { values[$0] }
    }

    /// The key node itself, for pointing at the key rather than its value.
    func keyNode(_ key: String) -> Node? {
        keyTexts.firstIndex(of: key).map { keys[$0] }
    }

    func has(_ key: String) -> Bool { child(key) != nil }

    /// The value under `key`, or `fallback` when absent (or invalid, after recording why).
    private mutating func declare(_ key: String) {
        known.append(key)
        if ctx.recordsKeys { ctx.readKeys.insert((path + [key]).joined(separator: ".")) }
    }

    mutating func read<T: NodeDecodable>(_ key: String, default fallback: T) -> T {
        declare(key)
        guard let n = child(key), !isNull(n) else { return fallback }
        return T.decode(n, path: path + [key], ctx: ctx) ?? fallback
    }

    /// The value under `key` if present and valid.
    mutating func optional<T: NodeDecodable>(_ key: String, as: T.Type = T.self) -> T? {
        declare(key)
        guard let n = child(key), !isNull(n) else { return nil }
        return T.decode(n, path: path + [key], ctx: ctx)
    }

    /// Like ``read(_:default:)`` and checks that the value lies in `range`.
    mutating func read<T: NodeDecodable & Comparable>(_ key: String, default fallback: T, in range: ClosedRange<T>,
                                                       rangeText: String? = nil) -> T {
        let v = read(key, default: fallback)
        if !range.contains(v), let n = child(key) {
            var help = "use a value in \(rangeText ?? "\(readable(range.lowerBound))...\(readable(range.upperBound))")"
            // A tiny or near-boundary value can lie inside the range as written, e.g. 1e-13 in
            // (0, 100]: then say which bound it crosses, so the help is not contradicted.
            if let rangeText, let d = v as? Double, nominalInterval(rangeText, contains: d) {
                help += d < (range.lowerBound as? Double ?? d) ? "; the smallest accepted value is \(readable(range.lowerBound))"
                    : "; the largest accepted value is \(readable(range.upperBound))"
            }
            ctx.error(n, path + [key], "'\(dotted(path + [key]))' is \(v), out of range", help: help)
            return fallback
        }
        return v
    }

    /// Marks `key` as known without reading it here (another pass decodes it).
    mutating func accept(_ key: String) { declare(key) }

    /// A nested mapping.
    mutating func nested(_ key: String) -> MapReader {
        declare(key)
        return MapReader(child(key), path: path + [key], ctx: ctx)
    }

    /// Reports every key not read, suggesting the closest known key.
    func finish() {
        guard mapping != nil else { return }
        // Most mappings hold only known keys: check that first, without building anything.
        guard keyTexts.contains(where: { $0.map { !known.contains($0) } ?? false }) else { return }
        let knownList = "known keys here: " + known.joined(separator: ", ")
        let knownSet = Set(known)
        var unknown = 0
        for (name, k) in zip(keyTexts, keys) {
            guard let name, !knownSet.contains(name) else { continue }
            unknown += 1
            var help = knownList
            // Suggestions cost an edit distance per candidate; past the first thousand unknown
            // keys of one mapping none can be among the diagnostics printed, so skip them.
            if unknown > 1000 {
            } else if let near = nearestName(to: name, among: known) {
                help = "did you mean '\(near)'?"
            } else if let alias = nearestName(to: name, among: Array(keySynonyms.keys)), let key = keySynonyms[alias], known.contains(key) {
                help = "did you mean '\(key)'? ('\(alias)' is spelled '\(key)' here)"
            }
            let scope = path.isEmpty ? "at the top level" : "in '\(dotted(path))'"
            ctx.error(k, path + [name], "unknown key '\(name)' \(scope)", help: help, length: name.count)
        }
    }
}

/// Names users bring from other tools, and the key Accordion spells them with.
let keySynonyms: [String: String] = [
    "learning_rate": "lr", "learningrate": "lr", "num_epochs": "epochs", "n_epochs": "epochs", "max_epochs": "epochs",
    "batchsize": "batch_size", "bs": "batch_size", "wd": "weight_decay", "hidden_sizes": "widths", "layers_sizes": "widths",
    "num_layers": "depth", "n_layers": "depth", "hidden_size": "width", "arch": "architecture", "optim": "optimizer",
    "lr_schedule": "schedule", "scheduler": "schedule", "warmup": "warmup_epochs", "random_seed": "seed",
]

extension Node {
    /// The text of a scalar, read directly (`Node.string` runs Yams' constructor, which
    /// resolves the tag with regular expressions — too slow for every key of every run point).
    var scalarText: String? {
        if case .scalar(let s) = self { return s.string }
        return nil
    }
}

extension Node.Scalar {
    /// Whether the scalar may be read as a number: written plain, with no `!!str` tag. YAML
    /// makes `"64"`, `'64'` and `!!str 64` strings, and the spec follows YAML.
    var isUnquotedNumber: Bool {
        (style == .plain || style == .any) && tag.description != Tag.Name.str.rawValue
    }
}

/// A number as a reader would write it: integers without `.0`, others in the shortest form
/// that reads back exactly (`1e-12`, `0.999999`).
func readable<T>(_ value: T) -> String {
    if let d = value as? Double {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
    return "\(value)"
}

/// Whether `value` lies in an interval written like `(0, 100]` or `[0, 1)`.
func nominalInterval(_ text: String, contains value: Double) -> Bool {
    let t = text.trimmingCharacters(in: .whitespaces)
    guard let open = t.first, let close = t.last, "([".contains(open), ")]".contains(close) else { return false }
    let bounds = t.dropFirst().dropLast().split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard bounds.count == 2, let lo = bounds[0], let hi = bounds[1] else { return false }
    return (open == "[" ? value >= lo : value > lo) && (close == "]" ? value <= hi : value < hi)
}

func isNull(_ node: Node) -> Bool {
    if case .scalar(let s) = node, s.style == .plain || s.style == .any {
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }
    return false
}
