extension Figures {
    /// `id-by-step-<estimator>`: for runs with `probe.steps`, the estimate of every probed layer
    /// against the global optimizer step, one panel per configuration and one line per layer,
    /// coloured by depth from dark (input) to light (output).
    ///
    /// With replicates a line is the mean across training replicates and its band the 95 %
    /// confidence interval (Student t), as in `id-by-layer`; a configuration with one replicate
    /// says "n = 1" and shows the estimator's probe-subsample spread as error bars instead.
    ///
    /// Steps are drawn on a linear axis, so the early steps where compression sets in are as wide
    /// as the step list makes them; listing them densely (0, 5, 10, 20, …) shows that phase.
    static func idByStep(_ data: ReportData) -> [FigureModel] {
        let rows = data.stepEstimates.filter { $0.value != nil && $0.step != nil }
        guard !rows.isEmpty else { return [] }
        var estimators: [String] = []
        for r in rows where !estimators.contains(r.estimator) { estimators.append(r.estimator) }
        var layers: [(index: Int, name: String)] = []
        for r in rows where !layers.contains(where: { $0.index == r.layerIndex }) { layers.append((r.layerIndex, r.layer)) }
        layers.sort { $0.index < $1.index }
        let colors = Palette.sequential(count: layers.count)
        func color(_ layerIndex: Int) -> String { colors[layers.firstIndex { $0.index == layerIndex } ?? 0] }
        let layerLegend: [LegendEntry] = layers.count > 8
            ? [.ramp(title: "layer", colors: colors, first: layers[0].name, last: layers[layers.count - 1].name)]
            : layers.map { .series(label: $0.name, color: color($0.index), dashed: false, hollow: false, marker: .circle) }
        let configurations = data.configurations.filter { c in c.points.contains { p in rows.contains { $0.point == p.index } } }
        return estimators.map { estimator in
            var anyBand = false, anyError = false, anySingle = false
            var levels = Set<Double>()
            let panels = configurations.map { c in
                let n = data.replicates(configuration: c)
                if n == 1 { anySingle = true }
                for s in data.input.summaries where s.configuration == c.index && s.step != nil { levels.insert(s.level) }
                let series = layers.compactMap { layer -> PlotSeries? in
                    let cells = data.stepProfile(configuration: c, layerIndex: layer.index, estimator: estimator)
                    guard !cells.isEmpty else { return nil }
                    let band = cells.compactMap { cell -> PlotBand? in
                        guard let low = cell.ciLow, let high = cell.ciHigh else { return nil }
                        return PlotBand(x: Double(cell.step), low: low, high: high)
                    }
                    anyBand = anyBand || !band.isEmpty
                    anyError = anyError || cells.contains { $0.error != nil }
                    return PlotSeries(
                        name: layer.name, color: color(layer.index), markerRadius: 2.6,
                        points: cells.map { cell in
                            PlotPoint(x: Double(cell.step), y: cell.value, error: cell.error,
                                      note: stepNote(c.label, layer: layer.name, estimator: estimator, cell))
                        },
                        band: band,
                        attributes: configurationAttributes(c) + [("data-estimator", estimator), ("data-layer", layer.name),
                                                                  ("data-n", "\(n)")])
                }
                let failures = c.points.flatMap { failureNotes(data, point: $0.index) }
                return PlotPanel(title: c.label, notes: [n == 1 ? "n = 1" : "n = \(n) replicates"] + failures.prefix(1),
                                 x: PlotAxis(label: "optimizer step", kind: .linear, integerTicks: true),
                                 y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: configurationAttributes(c) + [("data-n", "\(n)")])
            }
            let level = levels.count == 1 ? Format.percentLevel(levels.first ?? 0.95) : "95 %"
            var legend = layerLegend
            if anyBand { legend.append(.band(label: "\(level) CI across replicates (Student t)", color: Style.muted)) }
            if anyError { legend.append(.errorBar(label: "n = 1: ± probe-subsample spread", color: Style.muted)) }
            var subtitle = "One line per layer, dark (input) to light (output); x: optimizer steps from the start of training."
            if anyBand { subtitle += " Lines: mean across replicates; bands: \(level) CI across replicates." }
            if anySingle { subtitle += anyError ? " n = 1: error bars are the probe-subsample spread, not seed variation." : " n = 1: no replicates." }
            let g = grid(panels.count)
            return FigureModel(
                name: "id-by-step-\(slug(estimator))",
                title: "\(ReportData.taskRelevanceLabels[estimator].map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Intrinsic dimension") (\(estimator)) by optimizer step",
                subtitle: subtitle,
                caption: "How each layer's \(estimator) estimate moves during the first steps of training (probe.steps): "
                    + "one line per layer, coloured by depth, one panel per configuration. "
                    + (anyBand ? "Lines are means across training replicates; shaded bands are \(level) Student-t confidence intervals across replicates (n on each panel). " : "")
                    + (anySingle ? "Panels marked n = 1 have a single replicate" + (anyError ? "; their error bars are the estimator's spread over random probe subsets, which leaves out seed-to-seed variation." : ".") : ""),
                legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight, sharedY: true)
        }
    }

    /// A step marker's tooltip: where, when, and the mean with its interval or the single value.
    private static func stepNote(_ label: String, layer: String, estimator: String, _ cell: ReportData.StepCell) -> String {
        var text = "\(label) · \(layer) · \(estimator) · step \(cell.step) (epoch \(cell.epoch)): "
        if let low = cell.ciLow, let high = cell.ciHigh {
            text += "mean \(Format.general(cell.value)), CI [\(Format.general(low)), \(Format.general(high))] (n = \(cell.n))"
        } else {
            text += describe(cell.value, cell.error) + " (n = \(cell.n))"
        }
        return text
    }
}
