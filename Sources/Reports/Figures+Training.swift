/// Loss and accuracy against epoch.
extension Figures {
    /// Two panels, loss and accuracy; train dashed and test solid.
    ///
    /// Up to eight run points get one colour each. Beyond that, colours that close together cannot
    /// be told apart, so lines are coloured by the value of one swept parameter instead (the one
    /// with most values, seeds last), and the legend lists those values.
    static func trainingCurves(_ data: ReportData) -> FigureModel? {
        let points = data.points.filter { !data.metrics(point: $0.index).isEmpty }
        guard !points.isEmpty else { return nil }
        let colouring = curveColouring(data, points: points)
        func color(_ i: Int) -> String { colouring.colors[i] }
        let epochCount = Set(points.flatMap { data.metrics(point: $0.index).map(\.epoch) }).count
        // One epoch draws no curve.
        guard epochCount >= 2 else { return nil }
        let markerRadius = epochCount <= 25 ? 2.6 : 0

        func panel(_ title: String, train: KeyPath<ReportInput.EpochMetrics, Double?>,
                   test: KeyPath<ReportInput.EpochMetrics, Double?>, percent: Bool) -> PlotPanel {
            var series: [PlotSeries] = []
            for (i, point) in points.enumerated() {
                let rows = thinned(data.metrics(point: point.index))
                for (split, path, dashed) in [("train", train, true), ("test", test, false)] {
                    let values: [PlotPoint?] = rows.map { row in
                        row[keyPath: path].map {
                            PlotPoint(x: Double(row.epoch), y: $0, error: nil,
                                      note: "\(point.label) · \(split) \(title) · epoch \(row.epoch): "
                                          + (percent ? Format.percent($0) : Format.measurement($0)))
                        }
                    }
                    series.append(PlotSeries(name: "\(point.label) · \(split)", color: color(i), dashed: dashed, hollow: dashed,
                                             markerRadius: markerRadius, points: values,
                                             attributes: [("data-point", "\(point.index)"), ("data-split", split)]))
                }
            }
            return PlotPanel(title: title, x: PlotAxis(label: "epoch", kind: .linear, integerTicks: true),
                             y: PlotAxis(label: title, kind: .linear), series: series)
        }

        let longest = points.map { data.metrics(point: $0.index).count }.max() ?? 0
        var legend = colouring.legend
        legend.append(.series(label: "train", color: Style.muted, dashed: true, hollow: true, marker: .circle))
        legend.append(.series(label: "test", color: Style.muted, dashed: false, hollow: false, marker: .circle))
        return FigureModel(
            name: "training-curves", title: "Training curves",
            subtitle: "Dashed, hollow markers: training set; solid: test set." + (colouring.axis.map { " Colour: \($0)." } ?? ""),
            caption: "Loss and accuracy after each epoch, "
                + (colouring.axis.map { "coloured by \($0); " } ?? "one colour per run point; ")
                + "dashed lines are the training set, solid lines the test set."
                + (longest > curveLimit ? " Runs of more than \(curveLimit) epochs are drawn through \(curveLimit) evenly spaced epochs, the first and last included." : ""),
            legend: legend,
            panels: [panel("loss", train: \.trainLoss, test: \.testLoss, percent: false),
                     panel("accuracy", train: \.trainAccuracy, test: \.testAccuracy, percent: true)],
            columns: 2, panelWidth: 540, panelHeight: 240)
    }

    /// Most epochs drawn per curve.
    static let curveLimit = 200

    /// At most ``curveLimit`` rows, evenly spaced, the first and the last always kept: a
    /// 1,500-epoch full-batch run draws the same curve from 200 of them, and its figure stays a
    /// few hundred kilobytes instead of ten megabytes.
    static func thinned<T>(_ rows: [T], limit: Int = curveLimit) -> [T] {
        guard rows.count > limit, limit >= 2 else { return rows }
        let step = Double(rows.count - 1) / Double(limit - 1)
        return (0..<limit).map { rows[Int((Double($0) * step).rounded())] }
    }

    /// Per-point colours and the matching legend entries.
    static func curveColouring(_ data: ReportData, points: [ReportInput.Point])
        -> (colors: [String], legend: [LegendEntry], axis: String?) {
        func byPoint(_ colors: [String]) -> (colors: [String], legend: [LegendEntry], axis: String?) {
            let legend: [LegendEntry] = zip(points, colors).map {
                .series(label: $0.0.label, color: $0.1, dashed: false, hollow: false, marker: nil)
            }
            return (colors, legend, nil)
        }
        if points.count <= Palette.categorical.count { return byPoint(points.indices.map(Palette.categorical)) }
        let candidates = data.sweepAxes
            .map { axis in (axis: axis, values: ReportData.sortedValues(Array(Set(points.compactMap { $0.assignments[axis] })))) }
            .filter { $0.values.count > 1 && $0.values.count <= Palette.categorical.count }
        let isSeed = { (axis: String) in axis.lowercased().contains("seed") }
        guard let chosen = candidates.max(by: { a, b in
            (isSeed(a.axis) ? 0 : 1, a.values.count) < (isSeed(b.axis) ? 0 : 1, b.values.count)
        }) else { return byPoint(Palette.sequential(count: points.count)) }
        let numeric = chosen.values.allSatisfy { Double($0) != nil }
        let palette = numeric ? Palette.sequential(count: chosen.values.count) : chosen.values.indices.map(Palette.categorical)
        let colors = points.map { point in
            point.assignments[chosen.axis].flatMap { chosen.values.firstIndex(of: $0) }.map { palette[$0] } ?? Style.muted
        }
        let legend: [LegendEntry] = zip(chosen.values, palette).map {
            .series(label: "\(chosen.axis) = \($0.0)", color: $0.1, dashed: false, hollow: false, marker: nil)
        }
        return (colors, legend, chosen.axis)
    }
}
