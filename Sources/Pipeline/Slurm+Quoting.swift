import Foundation

/// Quoting for the scripts `SlurmPlan` writes: nothing from a path or an option is ever
/// expanded or executed by bash on the cluster node.
enum ShellQuoting {
    /// `text` as one bash word that expands to exactly `text`: single quotes, with each `'`
    /// written as `'\''`. Inside single quotes bash expands nothing (`$`, backquotes, `"`,
    /// `\` and newlines are literal).
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether `text` can stand in an `#SBATCH` line as written: sbatch reads those lines with
    /// its own rules (whitespace splits, `#` may start a comment, `%` is a file-name pattern),
    /// and a newline would end the comment and start a shell command.
    static func isDirectiveSafe(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { c in
            switch c {
            case "a"..."z", "A"..."Z", "0"..."9", "/", ".", "_", "-", "+", ",", "=", ":", "@": return true
            default: return false
            }
        }
    }
}

extension SlurmPlan {
    /// An sbatch option as an `#SBATCH` line when its value is safe there; otherwise nil, and
    /// the option goes on the sbatch command line (an argument vector, never a shell) instead.
    static func directive(_ option: String, _ value: String, commandLine: inout [String]) -> String? {
        if ShellQuoting.isDirectiveSafe(value) { return "#SBATCH --\(option)=\(value)" }
        commandLine.append("--\(option)=\(value)")
        return nil
    }
}
