/// Final-layer ID across run points against a per-point quantity, with Spearman's ρ.
extension Figures {
    enum ScatterAxis {
        case testAccuracy, noiseScale
    }

    /// One panel per estimator: each run point's final-layer ID (deepest probed layer, last probed
    /// epoch) against its test accuracy or its SGD noise scale, annotated with Spearman's ρ.
    ///
    /// Points whose training failed are left out: their last epoch is not the end of training.
    /// The noise-scale axis is logarithmic when every value is positive and they span a factor of 20.
    static func finalIDScatter(_ data: ReportData, against axis: ScatterAxis) -> FigureModel? {
        guard data.hasEstimates else { return nil }
        let completed = data.completedPoints
        let leftOut = data.points.count - completed.count
        func xOf(_ point: ReportInput.Point) -> Double? {
            axis == .testAccuracy ? data.finalTestAccuracy(point: point) : data.finalNoiseScale(point: point)
        }
        let xs = completed.compactMap(xOf)
        guard !xs.isEmpty else { return nil }
        let logX = axis == .noiseScale && xs.allSatisfy { $0 > 0 } && (xs.max() ?? 1) / (xs.min() ?? 1) >= 20
        let xLabel = axis == .testAccuracy ? "test accuracy (final epoch)" : "SGD noise scale (last recorded epoch)"
        let panels = data.estimators.map { estimator in
            var pairs: [(x: Double, y: Double)] = []
            let points: [PlotPoint?] = completed.map { point in
                guard let x = xOf(point), let row = data.finalLayerEstimate(point: point.index, estimator: estimator),
                      let y = row.value else { return nil }
                if logX && x <= 0 { return nil }
                pairs.append((x, y))
                let xText = axis == .testAccuracy ? Format.percent(x) : Format.general(x)
                return PlotPoint(x: x, y: y, error: row.error,
                                 note: "\(point.label) · \(row.layer) · epoch \(row.epoch): ID \(describe(y, row.error)), x = \(xText)")
            }
            let series = PlotSeries(name: estimator, color: estimatorColor(data, estimator), marker: estimatorMarker(data, estimator),
                                    markerRadius: 4, connect: false, points: points,
                                    attributes: [("data-estimator", estimator)])
            return PlotPanel(title: estimator, notes: [spearmanNote(pairs)],
                             x: PlotAxis(label: xLabel, kind: logX ? .log : .linear),
                             y: PlotAxis(label: "final-layer " + (ReportData.taskRelevanceLabels[estimator] == nil ? "ID (\(estimator))" : idLabel(estimator)), kind: .linear), series: [series],
                             attributes: [("data-estimator", estimator)])
        }
        let g = grid(panels.count)
        let what = axis == .testAccuracy ? "test accuracy" : "SGD noise scale"
        return FigureModel(
            name: axis == .testAccuracy ? "final-id-vs-accuracy" : "final-id-vs-noise-scale",
            title: "Final-layer intrinsic dimension against \(what)",
            subtitle: "One marker per run point (deepest probed layer, last probed epoch); ρ is Spearman's rank correlation."
                + (leftOut > 0 ? " \(leftOut) failed point\(leftOut == 1 ? "" : "s") left out." : ""),
            caption: "Each run point's final-layer ID against its \(what), one panel per estimator, "
                + "with Spearman's rank correlation ρ across the points that have both values."
                + (leftOut > 0 ? " Points whose training failed are left out." : "")
                + (logX ? " The x axis is logarithmic." : ""),
            legend: [], panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight)
    }

    static func spearmanNote(_ pairs: [(x: Double, y: Double)]) -> String {
        guard let rho = Statistics.spearman(pairs.map(\.x), pairs.map(\.y)) else {
            return "Spearman ρ undefined (n = \(pairs.count)\(pairs.count > 1 ? ", no spread" : ""))"
        }
        return "Spearman ρ = \(Format.fixed(rho, decimals: 2)) (n = \(pairs.count))"
    }
}
