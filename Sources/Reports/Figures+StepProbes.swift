extension Figures {
    /// `id-by-step-<estimator>`: for runs with `probe.steps`, the estimate of every probed layer
    /// against the global optimizer step, one panel per run point and one line per layer,
    /// coloured by depth from dark (input) to light (output).
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
        let legend: [LegendEntry] = layers.count > 8
            ? [.ramp(title: "layer", colors: colors, first: layers[0].name, last: layers[layers.count - 1].name)]
            : layers.map { .series(label: $0.name, color: color($0.index), dashed: false, hollow: false, marker: .circle) }
        let points = data.points.filter { p in rows.contains { $0.point == p.index } }
        return estimators.map { estimator in
            let panels = points.map { point in
                let own = rows.filter { $0.point == point.index && $0.estimator == estimator }
                let series = layers.compactMap { layer -> PlotSeries? in
                    let cells = own.filter { $0.layerIndex == layer.index }.sorted { $0.step! < $1.step! }
                    guard !cells.isEmpty else { return nil }
                    return PlotSeries(
                        name: layer.name, color: color(layer.index), markerRadius: 2.6,
                        points: cells.map { cell in
                            cell.value.map { PlotPoint(x: Double(cell.step!), y: $0, error: cell.error,
                                                       note: "\(point.label) · \(layer.name) · \(estimator) · step \(cell.step!) (epoch \(cell.epoch)): "
                                                           + describe($0, cell.error)) }
                        },
                        attributes: [("data-point", "\(point.index)"), ("data-estimator", estimator), ("data-layer", layer.name)])
                }
                return PlotPanel(title: point.label, notes: failureNotes(data, point: point.index).prefix(1).map { $0 },
                                 x: PlotAxis(label: "optimizer step", kind: .linear, integerTicks: true),
                                 y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: [("data-point", "\(point.index)")])
            }
            let g = grid(panels.count)
            return FigureModel(
                name: "id-by-step-\(slug(estimator))",
                title: "\(ReportData.taskRelevanceLabels[estimator].map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Intrinsic dimension") (\(estimator)) by optimizer step",
                subtitle: "One line per layer, dark (input) to light (output); x: optimizer steps from the start of training.",
                caption: "How each layer's \(estimator) estimate moves during the first steps of training (probe.steps): "
                    + "one line per layer, coloured by depth, one panel per run point.",
                legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight, sharedY: true)
        }
    }
}
