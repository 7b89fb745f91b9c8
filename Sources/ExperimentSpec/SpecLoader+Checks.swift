import Foundation
import Yams

extension SpecLoader {
    /// Top-level keys whose value names or places the whole run: one value per spec, never swept.
    static let unsweepableKeys: Set<String> = ["name", "execution"]

    /// Reports sweeps of keys that cannot vary between run points (`name`, `execution.*`).
    static func checkSweepable(_ axes: [SweepAxis], ctx: DecodeContext) {
        for axis in axes {
            guard case .key(let first)? = axis.path.first, unsweepableKeys.contains(first) else { continue }
            let why = first == "name"
                ? "every run point of a spec shares one name (its bundles go to Results/<name>/)"
                : "the executor, jobs and threads apply to the whole run, not to one run point"
            ctx.error(axis.node, axis.stringPath, "'\(axis.dottedPath)' cannot be swept: \(why)",
                      help: "write a single value; to compare settings, write a second spec or pass an override per run")
        }
    }

    /// The 1-based line and column of byte `offset` of `data`, counting columns in characters
    /// of the valid text before it (bytes that are not UTF-8 count one column each).
    static func lineAndColumn(ofByte offset: Int, in data: Data) -> (line: Int, column: Int) {
        let bytes = [UInt8](data.prefix(max(0, offset)))
        var line = 1
        var lineStart = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart...], as: UTF8.self).unicodeScalars.count + 1
        return (line, column)
    }

    /// The spec's lines, splitting at `\n`, `\r\n` and lone `\r` (a Swift `Character` holds
    /// `\r\n` as one, so splitting at `"\n"` alone would keep a CRLF file as a single line).
    static func sourceLines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// A located diagnostic for bytes that are not UTF-8, with the text read leniently so the
    /// line can be quoted.
    static func invalidUTF8(_ data: Data) -> (Diagnostic, text: String) {
        let offset = firstInvalidUTF8(data)
        let (line, column) = lineAndColumn(ofByte: offset, in: data)
        let byte = offset < data.count ? String(format: "0x%02X", data[data.startIndex + offset]) : "end of file"
        return (Diagnostic(.file(line: line, column: column, length: 1),
                           "the spec is not valid UTF-8: byte \(byte) cannot start or continue a character here",
                           help: "save the file as UTF-8"),
                String(decoding: data, as: UTF8.self))
    }

    /// The 1-based line and column of the `offset`-th character of `text`.
    static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for ch in text.prefix(max(0, offset)) {
            if ch.isNewline { line += 1; column = 1 } else { column += ch.unicodeScalars.count }
        }
        return (line, column)
    }

    /// A located diagnostic for libyaml's reader errors (NUL and other control characters),
    /// which Yams reports as a character offset rather than a line and column.
    static func readerDiagnostic(problem: String, offset: Int?, value: Int32, text: String) -> Diagnostic {
        guard let offset else { return Diagnostic(.wholeFile, "the spec cannot be read as YAML: \(problem)") }
        let (line, column) = lineAndColumn(ofCharacter: offset, in: text)
        let what = value == 0 ? "a NUL byte" : value >= 0 ? String(format: "the control character U+%04X", value) : "a character"
        return Diagnostic(.file(line: line, column: column, length: 1),
                          "the spec holds \(what), which YAML does not allow (\(problem))",
                          help: "remove it; a spec is plain text")
    }
}
