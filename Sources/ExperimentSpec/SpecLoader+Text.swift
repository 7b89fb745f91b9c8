import Foundation
import Yams

/// Sorting diagnostics, reading override values, and locating syntax errors in the text.
extension SpecLoader {
    static func sorted(_ ds: [Diagnostic]) -> [Diagnostic] {
        func key(_ d: Diagnostic) -> (Int, Int, Int) {
            switch d.location {
            case .wholeFile: return (0, 0, 0)
            case let .file(l, c, _): return (1, l, c)
            case .override: return (2, 0, 0)
            }
        }
        return ds.enumerated().sorted { a, b in
            let ka = key(a.element), kb = key(b.element)
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    static func parseOverrideValue(_ text: String) -> Node? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.hasPrefix("["), !trimmed.hasPrefix("{"), trimmed.contains(",") {
            let items = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                Node(String($0).trimmingCharacters(in: .whitespaces))
            }
            if items.contains(where: { $0.string?.isEmpty == true }) { return nil }
            return Node([(Node("grid"), Node(items))])
        }
        if trimmed.isEmpty { return nil }
        guard let node = try? Yams.compose(yaml: trimmed) else { return nil }
        return node.stripped()
    }

    static func display(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string
        case .sequence(let s): return "[" + s.map(display).joined(separator: ",") + "]"
        case .mapping(let m): return "{" + m.map { "\(display($0.key)):\(display($0.value))" }.joined(separator: ",") + "}"
        case .alias: return "*"
        }
    }

    static func syntaxDiagnostic(_ error: YamlError, text: String) -> Diagnostic {
        let lines = sourceLines(text)
        func at(_ mark: Mark, _ message: String, help: String? = nil) -> Diagnostic {
            var help = help
            if mark.line >= 1, mark.line <= lines.count {
                let line = Array(lines[mark.line - 1])
                if mark.column >= 1, mark.column <= line.count, line[mark.column - 1] == "\t" || line.prefix(mark.column).contains("\t") {
                    help = "YAML indentation must use spaces; replace the tab with spaces"
                    return Diagnostic(.file(line: mark.line, column: mark.column, length: 1), "tab character in indentation", help: help)
                }
            }
            return Diagnostic(.file(line: mark.line, column: mark.column, length: 1), message, help: help)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let message = "YAML syntax error: \(problem)" + (context.map { " (\($0.text))" } ?? "")
            return at(mark, message)
        case let .reader(problem, offset, value, _):
            return readerDiagnostic(problem: problem, offset: offset, value: value, text: text)
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.first ?? "?"
            // Yams points at the first occurrence; point at the second, where the mistake is.
            var mark = (context.mark.line, context.mark.column)
            if context.mark.line >= 1 {
                for l in context.mark.line..<lines.count {
                    let line = String(lines[l])
                    let indent = line.prefix { $0 == " " }.count
                    if indent + 1 == context.mark.column, line.dropFirst(indent).hasPrefix("\(key):") {
                        mark = (l + 1, indent + 1)
                        break
                    }
                }
            }
            return Diagnostic(.file(line: mark.0, column: mark.1, length: key.count), "duplicate key '\(key)'",
                              help: "the first '\(key)' is on line \(context.mark.line); keep one")
        default:
            return Diagnostic(.wholeFile, "the spec cannot be parsed: \(error)")
        }
    }

    static func firstInvalidUTF8(_ data: Data) -> Int {
        var i = 0
        let bytes = [UInt8](data)
        while i < bytes.count {
            let b = bytes[i]
            let len = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            if len == 0 || i + len > bytes.count { return i }
            for j in 1..<len where bytes[i + j] >> 6 != 0b10 { return i }
            i += len
        }
        return i
    }
}

extension Node {
    /// The same tree with source marks dropped (override values have no place in the file).
    func stripped() -> Node {
        switch self {
        case .scalar(let s): return .scalar(Node.Scalar(s.string, s.tag, s.style))
        case .sequence(let s): return .sequence(Node.Sequence(s.map { $0.stripped() }, s.tag, s.style))
        case .mapping(let m): return .mapping(Node.Mapping(m.map { ($0.key.stripped(), $0.value.stripped()) }, m.tag, m.style))
        case .alias: return self
        }
    }
}
