import Foundation

extension Experiment {
    /// The characters an experiment name may use, in words (see `docs/spec.md`).
    public static let nameCharacters = "letters, digits, '-', '_' and '.' (not first), at most 100 characters"

    /// Why `name` cannot name a results directory, or nil when it can.
    ///
    /// A name becomes a directory under `Results/` and is written into generated shell scripts,
    /// so it is restricted to ASCII letters, digits, `-`, `_` and `.`, must not start with `.`
    /// (hidden files, `.` and `..`), and is at most 100 characters.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > 100 { return "has \(name.count) characters, more than 100" }
        if name.hasPrefix(".") { return "must not start with '.'" }
        if let bad = name.unicodeScalars.first(where: { !isNameScalar($0) }) {
            let shown = bad.properties.generalCategory == .control || bad == " "
                ? String(format: "U+%04X", bad.value) : "'\(bad)'"
            return "holds the character \(shown)"
        }
        return nil
    }

    /// A valid name made from a file name: disallowed characters become `-`, a leading `.` is
    /// dropped, and it is cut to 100 characters (`my spec.yaml` gives `my-spec`).
    public static func safeName(from text: String) -> String {
        var scalars = String.UnicodeScalarView(text.unicodeScalars.map { isNameScalar($0) ? $0 : "-" })
        while scalars.first == "." { scalars.removeFirst() }
        let name = String(String(scalars).prefix(100))
        return name.isEmpty ? "experiment" : name
    }

    private static func isNameScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": return true
        default: return false
        }
    }
}

/// Why `path` cannot be a checkpoint, or nil when it names an existing regular file.
func checkpointProblem(_ path: String) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
    return isDirectory.boolValue ? "it is a directory, not a .safetensors file" : nil
}
