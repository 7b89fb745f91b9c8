/// How an estimate depends on the number of points: the block analysis drawn per layer.
extension Figures {
    /// A layer's estimate has reached a plateau when halving the points moves its mean by less
    /// than this fraction (between the two largest block sizes).
    static let plateauTolerance = 0.1

    /// Whether the two largest block sizes agree within ``plateauTolerance``; nil with fewer than two.
    static func plateau(_ blocks: [ReportInput.Block]) -> Bool? {
        let sorted = blocks.filter { $0.mean.isFinite && $0.size > 0 }.sorted { $0.size > $1.size }
        guard sorted.count >= 2, sorted[0].mean != 0 else { return nil }
        return abs(sorted[0].mean - sorted[1].mean) / abs(sorted[0].mean) < plateauTolerance
    }

    /// One panel per estimator that ran its block analysis: the mean estimate against the number of
    /// points per block (N, N/2, N/4, …; log axis), one line per layer coloured by depth, at the
    /// last probed epoch of the first run point that has one. Error bars: ± the standard deviation
    /// across blocks. Each panel lists the layers without a plateau — their estimate still moves
    /// when the probe set is halved, so it depends on the probe size (the scale of the neighbourhoods).
    static func idBySampleSize(_ data: ReportData) -> FigureModel? {
        let estimators = data.estimators.filter { e in data.points.contains { p in data.estimates(point: p.index).contains { $0.estimator == e && ($0.blocks?.count ?? 0) >= 2 } } }
        guard !estimators.isEmpty else { return nil }
        var pointLabel = ""
        var epochShown = 0
        var legend: [LegendEntry] = []
        let panels = estimators.compactMap { estimator -> PlotPanel? in
            guard let point = data.points.first(where: { p in data.estimates(point: p.index).contains { $0.estimator == estimator && ($0.blocks?.count ?? 0) >= 2 } }),
                  let epoch = data.estimates(point: point.index).filter({ $0.estimator == estimator && $0.blocks != nil }).map(\.epoch).max() else { return nil }
            pointLabel = point.label
            epochShown = epoch
            let rows = data.estimates(point: point.index).filter { $0.estimator == estimator && $0.epoch == epoch && ($0.blocks?.count ?? 0) >= 2 }
                .sorted { $0.layerIndex < $1.layerIndex }
            let colors = Palette.sequential(count: max(rows.count, 1))
            var noPlateau: [String] = []
            let series = rows.enumerated().map { i, row -> PlotSeries in
                let blocks = (row.blocks ?? []).sorted { $0.size < $1.size }
                if plateau(blocks) == false { noPlateau.append(row.layer) }
                return PlotSeries(name: row.layer, color: colors[i], marker: .circle, markerRadius: 2.6,
                                  points: blocks.map { b in
                                      PlotPoint(x: Double(b.size), y: b.mean, error: b.std > 0 ? b.std : nil,
                                                note: "\(row.layer) · \(estimator) · \(b.size) points: \(describe(b.mean, b.std > 0 ? b.std : nil))")
                                  },
                                  attributes: [("data-layer", row.layer), ("data-estimator", estimator),
                                               ("data-plateau", plateau(blocks).map { $0 ? "yes" : "no" } ?? "unknown")])
            }
            if legend.isEmpty {
                legend = rows.enumerated().map { .series(label: $0.element.layer, color: colors[$0.offset], dashed: false, hollow: false, marker: .circle) }
            }
            let note = noPlateau.isEmpty ? "every layer has a plateau (±10 % between N and N/2)"
                : "no plateau: " + noPlateau.joined(separator: ", ")
            return PlotPanel(title: estimator, notes: [note], x: PlotAxis(label: "points per block", kind: .log),
                             y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                             attributes: [("data-estimator", estimator)])
        }
        guard !panels.isEmpty else { return nil }
        legend.append(.errorBar(label: "± sd across blocks", color: Style.muted))
        let g = grid(panels.count)
        return FigureModel(
            name: "id-by-sample-size", title: "Intrinsic dimension against the number of points",
            subtitle: "\(pointLabel), epoch \(epochShown): block analysis, one line per layer (dark: input, light: output).",
            caption: "Each layer's estimate on disjoint random blocks of N, N/2, N/4, … probe points (mean ± standard deviation "
                + "across blocks), for \(pointLabel) at epoch \(epochShown). A flat line is a plateau: the estimate does not depend "
                + "on how many points were probed. A layer is listed as having no plateau when halving the points moves its mean "
                + "by 10 % or more; its value is only comparable at one probe size.",
            legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight)
    }
}
