import Statistics

/// Final-layer ID across run points against a per-point quantity, with Spearman's ρ.
extension Figures {
    enum ScatterAxis {
        case testAccuracy, noiseScale
    }

    /// One panel per estimator: each configuration's last-hidden-layer ID (the deepest probed
    /// layer before the logits, last probed epoch) against its test accuracy or SGD noise scale,
    /// annotated with Spearman's ρ across configurations — replicates are averaged first, so ρ
    /// is never computed on pseudo-replicates. Error bars: the 95 % CI across replicates (n ≥ 2)
    /// or the probe-subsample spread (n = 1).
    ///
    /// Points whose training failed are left out: their last epoch is not the end of training.
    /// Left out entirely with fewer than three configurations, where a rank correlation says nothing.
    /// The noise-scale axis is logarithmic when every value is positive and they span a factor of 20.
    static func finalIDScatter(_ data: ReportData, against axis: ScatterAxis) -> FigureModel? {
        guard data.hasEstimates else { return nil }
        let completed = Set(data.completedPoints.map(\.index))
        let leftOut = data.points.count - completed.count
        func xOf(_ point: ReportInput.Point) -> Double? {
            axis == .testAccuracy ? data.finalTestAccuracy(point: point) : data.finalNoiseScale(point: point)
        }
        // Per configuration, its completed replicates.
        let units = data.configurations.map { c in (c, c.points.filter { completed.contains($0.index) }) }.filter { !$0.1.isEmpty }
        let xs = units.compactMap { Statistics.mean($0.1.compactMap(xOf)) }
        guard xs.count >= 3 else { return nil }
        let logX = axis == .noiseScale && xs.allSatisfy { $0 > 0 } && (xs.max() ?? 1) / (xs.min() ?? 1) >= 20
        let measures = Set(data.points.compactMap(\.noiseMeasure))
        let noiseName = measures == [.temperature] ? "SGD noise temperature η·tr Σ_B"
            : measures == [.trace] ? "gradient noise tr Σ_B" : "SGD noise scale"
        let xLabel = axis == .testAccuracy ? "test accuracy (final epoch)" : "\(noiseName) (last recorded epoch)"
        var kinds = Set<String>()
        let panels = data.estimators.map { estimator in
            var pairs: [(x: Double, y: Double)] = []
            let points: [PlotPoint?] = units.map { c, members in
                guard let x = Statistics.mean(members.compactMap(xOf)) else { return nil }
                let rows = members.compactMap { data.finalLayerEstimate(point: $0.index, estimator: estimator) }
                let values = rows.compactMap(\.value)
                guard let y = Statistics.mean(values), let first = rows.first else { return nil }
                let layer = first.layer
                if logX && x <= 0 { return nil }
                pairs.append((x, y))
                let error: Double?
                var what: String
                if values.count >= 2, let s = data.summary(configuration: c.index, epoch: first.epoch, layerIndex: first.layerIndex,
                                                          estimator: estimator), let low = s.ciLow, let high = s.ciHigh {
                    error = (high - low) / 2
                    what = "mean \(Format.general(s.mean)) ± \(Format.general((high - low) / 2)) (\(Format.percentLevel(s.level)) CI, n = \(s.n))"
                    kinds.insert("ci")
                } else {
                    error = rows.first?.error
                    what = describe(y, error) + " (n = 1)"
                    if error != nil { kinds.insert("probe") }
                }
                let xText = axis == .testAccuracy ? Format.percent(x) : Format.general(x)
                return PlotPoint(x: x, y: y, error: error, note: "\(c.label) · \(layer) · ID \(what), x = \(xText)")
            }
            let series = PlotSeries(name: estimator, color: estimatorColor(data, estimator), marker: estimatorMarker(data, estimator),
                                    markerRadius: 4, connect: false, points: points,
                                    attributes: [("data-estimator", estimator)])
            return PlotPanel(title: estimator, notes: [spearmanNote(pairs)],
                             x: PlotAxis(label: xLabel, kind: logX ? .log : .linear),
                             y: PlotAxis(label: "last hidden layer: " + idLabel(estimator), kind: .linear), series: [series],
                             attributes: [("data-estimator", estimator)])
        }
        var legend: [LegendEntry] = []
        if kinds.contains("ci") { legend.append(.errorBar(label: "95 % CI across replicates", color: Style.muted)) }
        if kinds.contains("probe") { legend.append(.errorBar(label: "n = 1: ± probe-subsample spread", color: Style.muted)) }
        let g = grid(panels.count)
        let what = axis == .testAccuracy ? "test accuracy" : noiseName
        return FigureModel(
            name: axis == .testAccuracy ? "final-id-vs-accuracy" : "final-id-vs-noise-scale",
            title: "Last-hidden-layer intrinsic dimension against \(what)",
            subtitle: "One marker per configuration (replicates averaged); ρ is Spearman's rank correlation across configurations."
                + (leftOut > 0 ? " \(leftOut) failed point\(leftOut == 1 ? "" : "s") left out." : ""),
            caption: "Each configuration's last-hidden-layer ID (the deepest probed layer before the logits, last probed epoch) "
                + "against its \(what), one panel per estimator, with Spearman's rank correlation ρ across configurations. "
                + "Replicates are averaged before ρ is computed; error bars are 95 % confidence intervals across replicates, "
                + "or the probe-subsample spread where a configuration has one replicate."
                + (leftOut > 0 ? " Points whose training failed are left out." : "")
                + (logX ? " The x axis is logarithmic." : ""),
            legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight)
    }

    static func spearmanNote(_ pairs: [(x: Double, y: Double)]) -> String {
        guard let rho = Statistics.spearman(pairs.map(\.x), pairs.map(\.y)) else {
            return "Spearman ρ undefined (n = \(pairs.count)\(pairs.count > 1 ? ", no spread" : ""))"
        }
        return "Spearman ρ = \(Format.fixed(rho, decimals: 2)) (n = \(pairs.count))"
    }
}
