import Foundation

/// Where a diagnostic points: a position in the spec file, or a command-line override.
public enum SourceLocation: Sendable, Hashable {
    /// 1-based line and column in the spec file, and how many columns to underline.
    case file(line: Int, column: Int, length: Int)
    /// The override as the user typed it, e.g. `train.lr=abc`.
    case override(String)
    /// The file as a whole (e.g. it is empty or not UTF-8).
    case wholeFile
}

/// A user error in a spec or its overrides, located and with a fix where one is known.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var help: String?

    public init(_ location: SourceLocation, _ message: String, help: String? = nil) {
        self.location = location
        self.message = message
        self.help = help
    }

    public var description: String { message }
}

/// All the user errors found in one spec, reported together.
public struct SpecErrors: Error, Sendable, CustomStringConvertible {
    /// The spec's path as the user gave it.
    public var file: String
    /// The spec's text, for quoting source lines (empty when unreadable).
    public var text: String
    public var diagnostics: [Diagnostic]
    /// At most this many diagnostics are printed; the count of the rest is (``SpecLimits/printedErrors``).
    public var printLimit: Int

    public init(file: String, text: String, diagnostics: [Diagnostic], printLimit: Int = SpecLimits().printedErrors) {
        self.file = file
        self.text = text
        self.diagnostics = diagnostics
        self.printLimit = printLimit
    }

    public var description: String { render() }

    /// Compiler-style text: `file:line:col: error: …`, the source line with a caret, and `help:`.
    public func render() -> String {
        let lines = SpecLoader.sourceLines(text)
        var out: [String] = []
        for d in diagnostics.prefix(max(1, printLimit)) {
            switch d.location {
            case let .file(line, column, length):
                out.append("\(file):\(line):\(column): error: \(d.message)")
                if line >= 1 && line <= lines.count {
                    let excerpt = Self.excerpt(String(lines[line - 1]).replacingTabs(), column: column, length: length)
                    let gutter = String(repeating: " ", count: String(line).count)
                    out.append(" \(line) | \(excerpt.text)")
                    let underline = "^" + String(repeating: "~", count: max(0, excerpt.length - 1))
                    out.append(" \(gutter) | " + String(repeating: " ", count: max(0, excerpt.column - 1)) + underline)
                }
            case let .override(text):
                out.append("override '\(text)': error: \(d.message)")
            case .wholeFile:
                out.append("\(file): error: \(d.message)")
            }
            if let help = d.help { out.append("help: \(help)") }
        }
        let count = diagnostics.count
        let hidden = count - min(count, max(1, printLimit))
        if hidden > 0 { out.append("… \(hidden) more error\(hidden == 1 ? "" : "s") not shown") }
        out.append("\(count) error\(count == 1 ? "" : "s") in \(file)")
        return out.joined(separator: "\n")
    }
}

extension SpecErrors {
    /// Widest source excerpt shown under a message, in characters.
    static let excerptWidth = 120

    /// The part of a source line around `column` that fits ``excerptWidth``, with `…` where it
    /// was cut, and the column and underline length within it: a spec written on one long line
    /// (a grid of 10⁵ values) gets a readable message, not the whole line once per error.
    static func excerpt(_ source: String, column: Int, length: Int) -> (text: String, column: Int, length: Int) {
        let characters = Array(source)
        guard characters.count > excerptWidth else { return (source, column, length) }
        let start = max(0, min(column - 1 - excerptWidth / 3, characters.count - excerptWidth))
        let end = min(characters.count, start + excerptWidth)
        let lead = start > 0 ? "…" : "", tail = end < characters.count ? "…" : ""
        let shown = lead + String(characters[start..<end]) + tail
        let at = column - start + lead.count
        return (shown, at, max(1, min(length, end - (column - 1))))
    }
}

extension String {
    /// Tabs shown as single spaces so carets line up with libyaml's columns.
    func replacingTabs() -> String { replacingOccurrences(of: "\t", with: " ") }
}
