import Foundation
import Yams
import Foundation

/// Collects diagnostics while a YAML node tree is decoded into spec types.
final class DecodeContext {
    var diagnostics: [Diagnostic] = []
    /// The same diagnostics as a set, so recording one stays O(1) however many there are.
    private var recorded: Set<Diagnostic> = []
    /// Paths set by command-line overrides, with the override text, so errors there name it.
    var overrides: [(path: [String], text: String)] = []
    /// Every key path the decoder asked for, present or not (for checking the schema mirrors it).
    var readKeys: Set<String> = []
    /// Whether to fill ``readKeys``; off while loading, where building the dotted names for every
    /// key of every run point would dominate the cost of expanding a large sweep.
    var recordsKeys = false

    func location(of node: Node?, path: [String], length: Int? = nil) -> SourceLocation {
        // An error at or below an override's path, or on a key an override created on its way down.
        // An override written inside a node makes it no longer the file's (e.g. `train.lr.zip=…`
        // turning the file's `lr: {grid: …}` into a mapping that is no sweep), so it is to blame.
        if let o = overrides.last(where: { path.starts(with: $0.path) || (!path.isEmpty && $0.path.starts(with: path)) }) {
            return .override(o.text)
        }
        guard let mark = node?.mark else { return .wholeFile }
        let width = length ?? node.flatMap { n -> Int? in
            if case .scalar(let s) = n { return max(1, s.string.count) } else { return 1 }
        } ?? 1
        return .file(line: mark.line, column: mark.column, length: width)
    }

    func error(_ node: Node?, _ path: [String], _ message: String, help: String? = nil, length: Int? = nil) {
        let d = Diagnostic(location(of: node, path: path, length: length), message, help: help)
        if recorded.insert(d).inserted { diagnostics.append(d) }
    }
}

/// The dotted form of a key path, e.g. `train.optimizer`.
func dotted(_ path: [String]) -> String {
    path.isEmpty ? "the top level" : path.enumerated().map { i, step in i == 0 || step.hasPrefix("[") ? step : "." + step }.joined()
}

/// A value that can be read from a YAML node, reporting located errors.
protocol NodeDecodable {
    /// Decodes `node`, or records a diagnostic and returns nil.
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Self?
    /// How the expected type is named in messages ("an integer").
    static var expected: String { get }
}

extension NodeDecodable {
    static func typeError(_ node: Node, _ path: [String], _ ctx: DecodeContext) {
        let found: String
        switch node {
        case .scalar(let s) where isNull(node): found = "null" + (s.string.isEmpty ? " (an empty value)" : "")
        case .scalar(let s) where !s.isUnquotedNumber && Double(s.string) != nil:
            found = "the string '\(s.string)' (quoted or tagged !!str, so not a number)"
        case .scalar(let s): found = "'\(s.string)'"
        case .mapping: found = "a mapping"
        case .sequence: found = "a list"
        case .alias: found = "an alias"
        }
        ctx.error(node, path, "'\(dotted(path))' must be \(expected), found \(found)")
    }
}

extension Int: NodeDecodable {
    static var expected: String { "an integer" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Int? {
        if case .scalar(let s) = node, s.isUnquotedNumber, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) { return v }
        typeError(node, path, ctx)
        return nil
    }
}

extension UInt64: NodeDecodable {
    static var expected: String { "a non-negative integer" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> UInt64? {
        if case .scalar(let s) = node, s.isUnquotedNumber, let v = UInt64(s.string) { return v }
        typeError(node, path, ctx)
        return nil
    }
}

extension Double: NodeDecodable {
    static var expected: String { "a number" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Double? {
        if case .scalar(let s) = node, s.isUnquotedNumber,
           let v = Double(s.string.lowercased() == ".inf" ? "inf" : s.string), v.isFinite { return v }
        typeError(node, path, ctx)
        return nil
    }
}

extension Bool: NodeDecodable {
    static var expected: String { "true or false" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Bool? {
        if case .scalar(let s) = node {
            switch s.string.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        typeError(node, path, ctx)
        return nil
    }
}

extension String: NodeDecodable {
    static var expected: String { "a string" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> String? {
        // A plain `null` or `~` is no string (a list item `[h1, null]` is not a layer named "null").
        if case .scalar(let s) = node, !isNull(node) { return s.string }
        typeError(node, path, ctx)
        return nil
    }
}

extension Array: NodeDecodable where Element: NodeDecodable {
    static var expected: String { "a list of \(Element.expected.replacingOccurrences(of: "an ", with: "").replacingOccurrences(of: "a ", with: ""))s" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> [Element]? {
        guard case .sequence(let seq) = node else {
            typeError(node, path, ctx)
            return nil
        }
        var out: [Element] = []
        var ok = true
        for (i, item) in seq.enumerated() {
            if let v = Element.decode(item, path: path + ["[\(i)]"], ctx: ctx) { out.append(v) } else { ok = false }
        }
        return ok ? out : nil
    }
}

/// A string-valued choice read from YAML, with the allowed values listed on error.
protocol NodeEnum: NodeDecodable, RawRepresentable<String>, CaseIterable {}

extension NodeEnum {
    static var expected: String { "one of " + allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Self? {
        guard case .scalar(let s) = node else {
            typeError(node, path, ctx)
            return nil
        }
        if let v = Self(rawValue: s.string) { return v }
        let names = allCases.map(\.rawValue)
        var help = "expected one of: " + names.joined(separator: ", ")
        if let near = closest(to: s.string, in: names) { help = "did you mean '\(near)'? (\(help))" }
        ctx.error(node, path, "unknown value '\(s.string)' for '\(dotted(path))'", help: help)
        return nil
    }
}

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
            } else if let near = closest(to: name, in: known) {
                help = "did you mean '\(near)'?"
            } else if let alias = closest(to: name, in: Array(keySynonyms.keys)), let key = keySynonyms[alias], known.contains(key) {
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
