import Foundation

extension ReportInput {
    /// One declared claim with its computed verdict, as the report shows it.
    public struct Claim: Codable, Sendable, Equatable {
        public var id: String
        public var statement: String
        public var citation: String?
        /// The primary estimator named before the run.
        public var estimator: String
        /// `cells`, `profile`, `correlation` or `conditions`.
        public var kind: String
        /// The effect (an ID difference, or ρ for correlations) with its confidence interval.
        public var effect: Double?
        public var ciLow: Double?
        public var ciHigh: Double?
        /// Replicates (or configurations, for correlations) behind the effect.
        public var n: Int
        public var pHolm: Double?
        /// `supported`, `contradicted`, `inconclusive` or `not_testable`.
        public var verdict: String
        public var reason: String

        public init(id: String, statement: String, citation: String?, estimator: String, kind: String, effect: Double?,
                    ciLow: Double?, ciHigh: Double?, n: Int, pHolm: Double?, verdict: String, reason: String) {
            self.id = id
            self.statement = statement
            self.citation = citation
            self.estimator = estimator
            self.kind = kind
            self.effect = effect
            self.ciLow = ciLow
            self.ciHigh = ciHigh
            self.n = n
            self.pHolm = pHolm
            self.verdict = verdict
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case id, statement, citation, estimator, kind, effect, n, verdict, reason
            case ciLow = "ci_low", ciHigh = "ci_high", pHolm = "p_holm"
        }
    }
}

extension HTMLReport {
    /// The claims table: claim, citation, primary estimator, effect with its 95 % CI across
    /// replicates, n, Holm-adjusted p and the verdict; each row links to the figure it rests on.
    static func claimsSection(_ claims: [ReportInput.Claim], figures: [RenderedFigure]) -> [String] {
        var html = ["<section id=\"claims\">", "<h2>Claims</h2>"]
        html.append("<p>Declared in the spec before the run, each with one primary estimator. Effects are "
                    + "differences in ID (ρ for correlations) with 95 % confidence intervals across replicates; "
                    + "p-values are Holm-adjusted across the claims.</p>")
        html.append("<table><thead><tr><th>claim</th><th>citation</th><th>estimator</th><th>effect [95 % CI]</th>"
                    + "<th>n</th><th>p (Holm)</th><th>verdict</th></tr></thead><tbody>")
        let profile = figures.first { $0.name.hasPrefix("id-vs-layer") }?.name ?? figures.first?.name
        for c in claims {
            var effect = "—"
            if let v = c.effect {
                effect = (c.kind == "correlation" ? "ρ = " : "") + format(v)
                if let lo = c.ciLow, let hi = c.ciHigh { effect += " [\(format(lo)), \(format(hi))]" }
            }
            let verdict = c.verdict.replacingOccurrences(of: "_", with: " ")
            let link = profile.map { " <a href=\"#fig-\(e($0))\">figure</a>" } ?? ""
            html.append("<tr class=\"verdict-\(e(c.verdict))\"><td><strong>\(e(c.id))</strong> \(e(c.statement))\(link)</td>"
                        + "<td>\(e(c.citation ?? ""))</td><td>\(e(c.estimator))</td><td>\(e(effect))</td>"
                        + "<td>\(c.n > 0 ? String(c.n) : "—")</td><td>\(c.pHolm.map { format($0) } ?? "—")</td>"
                        + "<td title=\"\(e(c.reason))\">\(e(verdict))"
                        + (c.verdict == "supported" || c.reason.isEmpty ? "" : "<br /><small>\(e(c.reason))</small>") + "</td></tr>")
        }
        html.append("</tbody></table>")
        html.append("</section>")
        return html
    }

    static func format(_ v: Double) -> String {
        abs(v) >= 0.01 || v == 0 ? String(format: "%.3g", v) : String(format: "%.2e", v)
    }
}
