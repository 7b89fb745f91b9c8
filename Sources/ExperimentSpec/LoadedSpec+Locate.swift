import Foundation
import Yams

extension LoadedSpec {
    /// Where the value at `path` (e.g. `["model", "init_from"]`) was written: the override that
    /// set it, else its position in the file, else the file as a whole. For checks that can only
    /// run after loading (reading a checkpoint against the model it should fit).
    public func location(of path: [String]) -> SourceLocation {
        let dotted = path.joined(separator: ".")
        if let o = overrides.last(where: { $0.hasPrefix(dotted + "=") }) { return .override(o) }
        guard var node = try? Yams.compose(yaml: text) else { return .wholeFile }
        for key in path {
            guard let next = node.mapping?[key] else { return .wholeFile }
            node = next
        }
        let mark = node.mark
        let width: Int
        if case .scalar(let s) = node { width = max(1, s.string.count) } else { width = 1 }
        return mark.map { .file(line: $0.line, column: $0.column, length: width) } ?? .wholeFile
    }

    /// Where the list item `item` of the list at `path` was written (e.g. one layer of
    /// `activations.layers`), else where the list was (see ``location(of:)``).
    public func location(ofItem item: String, in path: [String]) -> SourceLocation {
        let dotted = path.joined(separator: ".")
        if overrides.contains(where: { $0.hasPrefix(dotted + "=") }) { return location(of: path) }
        guard var node = try? Yams.compose(yaml: text) else { return .wholeFile }
        for key in path {
            guard let next = node.mapping?[key] else { return .wholeFile }
            node = next
        }
        guard case .sequence(let seq) = node,
              let found = seq.first(where: { if case .scalar(let s) = $0 { return s.string == item } else { return false } }),
              let mark = found.mark else { return location(of: path) }
        return .file(line: mark.line, column: mark.column, length: max(1, item.count))
    }

    /// The errors of checks run after loading, rendered like the loader's own.
    public func errors(_ diagnostics: [Diagnostic]) -> SpecErrors {
        SpecErrors(file: file, text: text, diagnostics: diagnostics)
    }
}
