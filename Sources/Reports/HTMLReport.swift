import Foundation

/// The self-contained `report.html`: inline CSS and SVG, no scripts, no network requests.
///
/// Sections, in order: name and description; failures (when any, in a red box right under the
/// title); the run-point table with test accuracy and final-layer ID per estimator; the figures
/// with captions; the resolved spec in a collapsible block; provenance. The markup is also
/// well-formed XML (void elements are self-closed), so XML tools can read it.
public enum HTMLReport {
    /// The report for `input` with its standard figures.
    public static func render(_ input: ReportInput) -> String {
        render(input, figures: Figures.all(for: input))
    }

    /// The report for `input` with the given figures, in the given order.
    public static func render(_ input: ReportInput, figures: [RenderedFigure]) -> String {
        let data = ReportData(input)
        var html: [String] = []
        html.append("<!DOCTYPE html>")
        html.append("<html lang=\"en\">")
        html.append("<head>")
        html.append("<meta charset=\"utf-8\" />")
        html.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />")
        html.append("<title>\(e(input.name)) — Accordion report</title>")
        html.append("<style>\n\(stylesheet)</style>")
        html.append("</head>")
        html.append("<body>")
        html.append("<main>")
        html.append("<header>")
        html.append("<p class=\"kicker\">Accordion experiment report</p>")
        html.append("<h1>\(e(input.name))</h1>")
        if !input.description.isEmpty { html.append("<p class=\"description\">\(e(input.description))</p>") }
        html.append("<p class=\"summary\">\(e(summary(data)))</p>")
        html.append("</header>")
        if !input.failures.isEmpty { html += failuresSection(input.failures) }
        if let warning = data.probeSizeWarning { html.append("<p class=\"warning\" role=\"note\">\(e(warning))</p>") }
        if !input.claims.isEmpty { html += claimsSection(input.claims, figures: figures) }
        html.append(contentsOf: contents(figures: figures, hasSpec: input.resolvedSpec != nil, hasProvenance: !input.provenance.isEmpty))
        html += pointsSection(data)
        html += configurationsSection(data)
        html += figuresSection(figures)
        if let spec = input.resolvedSpec { html += specSection(spec) }
        if !input.provenance.isEmpty { html += provenanceSection(input.provenance) }
        html.append("<footer>Self-contained report: inline SVG and CSS, no scripts, works offline. "
                    + "Hover a marker to see its value.</footer>")
        html.append("</main>")
        html.append("</body>")
        html.append("</html>")
        return html.joined(separator: "\n") + "\n"
    }

    static func e(_ text: String) -> String { XML.escape(text) }

    static func summary(_ data: ReportData, separator: String = " · ") -> String {
        var parts = ["\(data.points.count) run point\(data.points.count == 1 ? "" : "s")"]
        if !data.sweepAxes.isEmpty { parts.append("swept: " + data.sweepAxes.joined(separator: ", ")) }
        if !data.estimators.isEmpty { parts.append("estimators: " + data.estimators.joined(separator: ", ")) }
        let epochs = data.allEpochs
        if !epochs.isEmpty { parts.append("probed epochs: " + epochs.map(String.init).joined(separator: ", ")) }
        if !data.input.failures.isEmpty {
            parts.append("\(data.input.failures.count) failure\(data.input.failures.count == 1 ? "" : "s")")
        }
        return parts.joined(separator: separator)
    }

    static func contents(figures: [RenderedFigure], hasSpec: Bool, hasProvenance: Bool) -> [String] {
        var items = ["<li><a href=\"#points\">Run points</a></li>"]
        if !figures.isEmpty {
            items.append("<li><a href=\"#figures\">Figures</a><ul>"
                         + figures.map { "<li><a href=\"#fig-\(e($0.name))\">\(e($0.title))</a></li>" }.joined()
                         + "</ul></li>")
        }
        if hasSpec { items.append("<li><a href=\"#spec\">Resolved spec</a></li>") }
        if hasProvenance { items.append("<li><a href=\"#provenance\">Provenance</a></li>") }
        return ["<nav><h2>Contents</h2><ul>"] + items + ["</ul></nav>"]
    }

    static func failuresSection(_ failures: [ReportInput.Failure]) -> [String] {
        var html = ["<section id=\"failures\" class=\"failures\" role=\"alert\">"]
        html.append("<h2>\(failures.count) stage\(failures.count == 1 ? "" : "s") failed</h2>")
        html.append("<p>Results below are incomplete. Failed points are marked in the table and in their own panels, "
                    + "and left out of the last-hidden-layer and sweep comparisons.</p>")
        html.append("<table><thead><tr><th>stage</th><th>reason</th></tr></thead><tbody>")
        for failure in failures {
            html.append("<tr><td><code>\(e(failure.stage))</code></td><td>\(e(failure.reason))</td></tr>")
        }
        html.append("</tbody></table>")
        html.append("</section>")
        return html
    }

    static func pointsSection(_ data: ReportData) -> [String] {
        var html = ["<section id=\"points\">", "<h2>Run points</h2>"]
        guard !data.points.isEmpty else { return html + ["<p class=\"empty\">No run points.</p>", "</section>"] }
        html.append("<p class=\"note\">Last hidden layer: the deepest probed layer before the logits (Ansuini et al. 2019), at the last probed epoch; ± the estimator's probe-subsample spread where it gives one (one run point, not a replicate interval; see summary.csv for those).</p>")
        html.append("<div class=\"table-wrap\"><table class=\"points\">")
        var header = ["<th>#</th>", "<th>label</th>"]
        header += data.sweepAxes.map { "<th>\(e($0))</th>" }
        header.append("<th class=\"num\">test accuracy<br /><span class=\"est\">last epoch</span></th>")
        header += data.estimators.map {
            "<th class=\"num\">last-hidden-layer \(ReportData.taskRelevanceLabels[$0] == nil ? "ID" : "value")<br /><span class=\"est\">\(e($0))</span></th>"
        }
        header.append("<th>status</th>")
        html.append("<thead><tr>\(header.joined())</tr></thead><tbody>")
        for point in data.points {
            let failures = data.failures(point: point.index)
            var cells = ["<td class=\"num\">\(point.index)</td>", "<td>\(e(point.label))</td>"]
            cells += data.sweepAxes.map { "<td>\(e(point.assignments[$0] ?? "—"))</td>" }
            cells.append("<td class=\"num\">\(e(Format.percent(data.finalTestAccuracy(point: point))))</td>")
            for estimator in data.estimators {
                let row = data.finalLayerEstimate(point: point.index, estimator: estimator)
                let title = row.map { " title=\"\(e("\($0.layer), epoch \($0.epoch)"))\"" } ?? ""
                cells.append("<td class=\"num\"\(title)>\(e(Format.measurement(row?.value, error: row?.error)))</td>")
            }
            let reached = data.probedEpochs(point: point.index).last.map { "to epoch \($0)" } ?? "nothing probed"
            cells.append(failures.isEmpty
                ? "<td class=\"ok\">ok</td>"
                : "<td class=\"bad\" title=\"\(e(failures.map(\.stage).joined(separator: ", ")))\">failed"
                    + "<br /><span class=\"est\">\(reached)</span></td>")
            html.append("<tr\(failures.isEmpty ? "" : " class=\"failed\"") data-point=\"\(point.index)\">\(cells.joined())</tr>")
        }
        html.append("</tbody></table></div>")
        html.append("</section>")
        return html
    }

    /// With replicates: per configuration its n and, per estimator, the mean and 95 % CI across
    /// replicates of the last hidden layer at the last probed epoch.
    static func configurationsSection(_ data: ReportData) -> [String] {
        guard data.replicated else { return [] }
        var html = ["<section id=\"configurations\">", "<h2>Configurations</h2>",
                    "<p class=\"note\">Mean across training replicates [95 % Student-t confidence interval] of the last hidden "
                    + "layer at the last probed epoch; n counts training seeds. The same numbers are in summary.csv.</p>",
                    "<div class=\"table-wrap\"><table class=\"configurations\">"]
        let header = ["<th>configuration</th>", "<th class=\"num\">n</th>"]
            + data.estimators.map { "<th class=\"num\">last-hidden-layer ID<br /><span class=\"est\">\(e($0))</span></th>" }
        html.append("<thead><tr>\(header.joined())</tr></thead><tbody>")
        for c in data.configurations {
            var cells = ["<td>\(e(c.label))</td>", "<td class=\"num\">\(data.replicates(configuration: c))</td>"]
            for estimator in data.estimators {
                guard let (final, s) = data.finalSummary(configuration: c, estimator: estimator) else {
                    cells.append("<td class=\"num\">—</td>")
                    continue
                }
                var text = Format.measurement(s.mean)
                if let low = s.ciLow, let high = s.ciHigh { text += " [\(Format.measurement(low)), \(Format.measurement(high))]" }
                cells.append("<td class=\"num\" title=\"\(e("\(final.layer), epoch \(final.epoch), n = \(s.n)"))\">\(e(text))</td>")
            }
            html.append("<tr data-configuration=\"\(c.index)\">\(cells.joined())</tr>")
        }
        html += ["</tbody></table></div>", "</section>"]
        return html
    }

    static func figuresSection(_ figures: [RenderedFigure]) -> [String] {
        guard !figures.isEmpty else { return [] }
        var html = ["<section id=\"figures\">", "<h2>Figures</h2>"]
        for figure in figures {
            html.append("<figure id=\"fig-\(e(figure.name))\">")
            html.append(figure.svg.trimmingCharacters(in: .whitespacesAndNewlines))
            html.append("<figcaption><strong>\(e(figure.title)).</strong> \(e(figure.caption)) "
                        + "<span class=\"file\">figures/\(e(figure.name)).svg</span></figcaption>")
            html.append("</figure>")
        }
        html.append("</section>")
        return html
    }

    static func specSection(_ spec: String) -> [String] {
        let text = prettyJSON(spec)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        return ["<section id=\"spec\">", "<h2>Resolved spec</h2>",
                "<details><summary>resolved.json (\(lines) line\(lines == 1 ? "" : "s"))</summary>",
                "<pre>\(e(text))</pre>", "</details>", "</section>"]
    }

    /// Single-line JSON is indented for reading; anything else (already formatted, or not JSON) is kept verbatim.
    static func prettyJSON(_ text: String) -> String {
        guard !text.contains("\n"), let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
              let string = String(data: pretty, encoding: .utf8) else { return text }
        return string
    }

    static func provenanceSection(_ entries: [ReportInput.ProvenanceEntry]) -> [String] {
        var html = ["<section id=\"provenance\">", "<h2>Provenance</h2>", "<table class=\"kv\"><tbody>"]
        for entry in entries {
            html.append("<tr><th>\(e(entry.key))</th><td><code>\(e(entry.value))</code></td></tr>")
        }
        html += ["</tbody></table>", "</section>"]
        return html
    }

    static let stylesheet = """
    :root { color-scheme: light; }
    body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
    main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
    header h1 { margin: 0 0 6px; font-size: 28px; line-height: 1.2; }
    .kicker { margin: 0; color: #666; font-size: 13px; text-transform: uppercase; letter-spacing: .06em; }
    .description { margin: 4px 0 8px; max-width: 72ch; }
    .summary { margin: 0; color: #555; font-size: 14px; }
    h2 { margin: 32px 0 10px; font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    nav { margin-top: 16px; font-size: 14px; }
    nav h2 { display: none; }
    nav ul { margin: 0; padding-left: 18px; }
    nav ul ul { columns: 2; }
    a { color: #0a5a8c; }
    table { border-collapse: collapse; font-size: 14px; }
    th, td { padding: 5px 10px; border-bottom: 1px solid #e6e6e6; text-align: left; vertical-align: top; }
    thead th { border-bottom: 2px solid #bbb; background: #fafafa; }
    .points tbody tr:nth-child(even) { background: #fafafa; }
    .points th, .points td { padding: 5px 8px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .est { font-weight: normal; color: #555; }
    .table-wrap { overflow-x: auto; }
    .note { color: #555; font-size: 13px; margin: 0 0 8px; }
    td.ok { color: #1b6e3a; }
    td.bad { color: #a1170b; font-weight: 600; white-space: nowrap; }
    tr.failed td { background: #fdecea; }
    .failures { margin: 20px 0; padding: 12px 18px 16px; border: 2px solid #b3261e; border-left-width: 8px; background: #fdecea; color: #5f120c; border-radius: 4px; }
    .warning { margin: 16px 0; padding: 10px 16px; border-left: 6px solid #b26a00; background: #fff4e0; color: #4a2c00; border-radius: 4px; }
    .failures h2 { margin: 0 0 6px; border: 0; color: #8c1d13; }
    .failures table { background: #fff; }
    .failures td, .failures th { border-bottom-color: #f3c1bb; }
    figure { margin: 24px 0 36px; }
    figure svg { display: block; max-width: 100%; height: auto; }
    figcaption { margin-top: 6px; font-size: 14px; color: #333; max-width: 90ch; }
    figcaption .file { color: #777; font-size: 12px; margin-left: 6px; font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
    details summary { cursor: pointer; color: #0a5a8c; }
    pre { background: #f4f4f2; padding: 12px; overflow-x: auto; font-size: 12.5px; line-height: 1.45; border-radius: 4px; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
    .kv th { color: #444; font-weight: 600; white-space: nowrap; }
    footer { margin-top: 40px; color: #777; font-size: 12px; }

    """
}
