import EstimatorVocabulary
import Foundation
import Yams

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
    /// The directory relative data paths in the spec are taken from (the spec file's).
    var baseDirectory: String? = nil
    /// The directory relative data paths in overrides are taken from (the shell's).
    var workingDirectory: String? = nil
    /// Reads the sizes of the training and test arrays of `data.arrays` (the caller's: the spec
    /// module reads no data), so sizes are checked at decode time as for built-in datasets.
    var arraySizes: ((ArraysSpec) -> (train: Int, test: Int)?)? = nil
    private var arraySizeCache: [ArraysSpec: (train: Int, test: Int)?] = [:]

    /// The whole splits' sizes of `data`: known from the spec, or read through ``arraySizes``
    /// once per distinct arrays section; nil when neither can say.
    func fullSplitSizes(_ data: DataSpec) -> (train: Int, test: Int)? {
        if let sizes = data.fullSplitSizes { return sizes }
        guard let arrays = data.arrays, let read = arraySizes else { return nil }
        if let cached = arraySizeCache[arrays] { return cached }
        let sizes = read(arrays)
        arraySizeCache[arrays] = sizes
        return sizes
    }

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
        reportTypeError(node, path, ctx, expected: expected)
    }
}

/// Records that `node` is not `expected` ("an integer"), naming what was found instead.
func reportTypeError(_ node: Node, _ path: [String], _ ctx: DecodeContext, expected: String) {
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

extension OneOrMore: NodeDecodable {
    static var expected: String { "a string or a list of strings" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> OneOrMore? {
        if case .sequence = node { return [String].decode(node, path: path, ctx: ctx).map(OneOrMore.init) }
        return String.decode(node, path: path, ctx: ctx).map { OneOrMore([$0]) }
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
    static var expected: String { choicesExpected(allCases.map(\.rawValue)) }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> Self? {
        decodeChoice(node, path: path, ctx: ctx, among: allCases.map(\.rawValue)).flatMap(Self.init(rawValue:))
    }
}

/// How a choice among `names` is named in messages: "one of 'a', 'b'".
func choicesExpected(_ names: [String]) -> String {
    "one of " + names.map { "'\($0)'" }.joined(separator: ", ")
}

/// The word in `node` if it is one of `names`; otherwise records why, suggesting the nearest.
func decodeChoice(_ node: Node, path: [String], ctx: DecodeContext, among names: [String]) -> String? {
    guard case .scalar(let s) = node else {
        reportTypeError(node, path, ctx, expected: choicesExpected(names))
        return nil
    }
    if names.contains(s.string) { return s.string }
    var help = "expected one of: " + names.joined(separator: ", ")
    if let near = nearestName(to: s.string, among: names) { help = "did you mean '\(near)'? (\(help))" }
    ctx.error(node, path, "unknown value '\(s.string)' for '\(dotted(path))'", help: help)
    return nil
}
