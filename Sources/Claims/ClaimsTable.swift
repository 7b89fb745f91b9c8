import ExperimentSpec
import Foundation
/// Renders claim verdicts as a Markdown table, so documentation can be generated from bundles.
public enum ClaimsTable {
    /// `| claim | citation | estimator | effect [95 % CI] | n | p (Holm) | verdict |`, one row per
    /// claim in order. The effect is an ID difference, or ρ for correlation claims, followed by the
    /// margin of a claim of no change; the p-value is the Holm-adjusted one the verdict used (for a
    /// claim of no change, that of the two one-sided tests). Pipes in text are escaped.
    /// A claim that reads cells at optimizer steps names them after its statement (`at step 40`).
    public static func markdown(_ results: [ClaimResult]) -> String {
        var lines = ["| claim | citation | estimator | effect [95 % CI] | n | p (Holm) | verdict |", "|---|---|---|---|---:|---:|---|"]
        for r in results {
            var effect: String
            if let e = r.effect, let lo = r.ciLow, let hi = r.ciHigh {
                effect = "\(r.kind == .correlation ? "ρ = " : "")\(format(e)) [\(format(lo)), \(format(hi))]"
            } else {
                effect = "—"
            }
            if let margin = r.margin { effect += " (margin ±\(format(margin)))" }
            let verdict = r.verdict == .notTestable ? "not testable: \(r.reason)" : r.verdict.rawValue
            var claim = "**\(r.id)** \(r.statement)"
            if let steps = r.restsOn.steps, !steps.isEmpty {
                claim += " (at step\(steps.count == 1 ? "" : "s") \(steps.map(String.init).joined(separator: ", ")))"
            }
            let cells = [claim, r.citation ?? "", r.estimator, effect, r.n > 0 ? String(r.n) : "—", r.pHolm.map(format) ?? "—", verdict]
            lines.append("| " + cells.map(escape).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
