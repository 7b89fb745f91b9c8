/// Figures of ID against layer: per point, per epoch, and across a sweep axis.
extension Figures {
    /// ID against layer for every run point, one line per estimator, first probed epoch (dashed,
    /// hollow markers) against last (solid) — the central figure of Ansuini et al. (2019) and
    /// Recanatesi et al. (2019).
    static func idByLayer(_ data: ReportData) -> FigureModel? {
        profilesByLayer(data, estimators: data.idEstimators, taskRelevance: false)
    }

    /// The task-relevance measures (`class_geometry`, `linear_probe`) against layer, drawn like
    /// ``idByLayer(_:)`` but on their own [0, 1] scale, so they neither squash nor hide the IDs.
    static func taskRelevanceByLayer(_ data: ReportData) -> FigureModel? {
        profilesByLayer(data, estimators: data.taskMeasures, taskRelevance: true)
    }

    private static func profilesByLayer(_ data: ReportData, estimators: [String], taskRelevance: Bool) -> FigureModel? {
        guard data.hasEstimates, !estimators.isEmpty else { return nil }
        var panels: [PlotPanel] = []
        var firstEpochs = Set<Int>(), lastEpochs = Set<Int>()
        var anyError = false
        for point in data.points {
            let epochs = data.probedEpochs(point: point.index)
            let layers = data.layers(point: point.index)
            var series: [PlotSeries] = []
            if let first = epochs.first, let last = epochs.last {
                firstEpochs.insert(first)
                lastEpochs.insert(last)
                for estimator in estimators {
                    for epoch in first == last ? [last] : [first, last] {
                        let before = epoch == first && first != last
                        let profile = data.profile(point: point.index, epoch: epoch, estimator: estimator)
                        anyError = anyError || profile.contains { $0.error != nil }
                        series.append(PlotSeries(
                            name: "\(estimator) · epoch \(epoch)", color: estimatorColor(data, estimator),
                            dashed: before, hollow: before, marker: estimatorMarker(data, estimator),
                            points: profile.map { row in
                                row.value.map { PlotPoint(x: Double(row.layerIndex), y: $0, error: row.error,
                                                          note: "\(point.label) · \(row.layer) · \(estimator) · epoch \(epoch): \(describe($0, row.error))") }
                            },
                            attributes: [("data-point", "\(point.index)"), ("data-estimator", estimator), ("data-epoch", "\(epoch)")]))
                    }
                }
            }
            panels.append(PlotPanel(title: point.label, notes: failureNotes(data, point: point.index),
                                    x: layerAxis(layers), y: PlotAxis(label: taskRelevance ? "task relevance (0 to 1)" : idLabel(nil), kind: .linear),
                                    series: series,
                                    attributes: [("data-point", "\(point.index)")]))
        }
        var legend: [LegendEntry] = estimators.map {
            .series(label: $0, color: estimatorColor(data, $0), dashed: false, hollow: false, marker: estimatorMarker(data, $0))
        }
        let before = firstEpochs.count == 1 ? firstEpochs.first.map { $0 == 0 ? "epoch 0 (at initialisation)" : "epoch \($0) (first probed)" } : nil
        let after = lastEpochs.count == 1 ? lastEpochs.first.map { "epoch \($0) (last probed)" } : nil
        let twoEpochs = firstEpochs != lastEpochs || data.points.contains { data.probedEpochs(point: $0.index).count > 1 }
        if twoEpochs {
            legend.append(.series(label: before ?? "first probed epoch", color: Style.muted, dashed: true, hollow: true, marker: .circle))
            legend.append(.series(label: after ?? "last probed epoch", color: Style.muted, dashed: false, hollow: false, marker: .circle))
        }
        let g = grid(panels.count)
        var subtitle = twoEpochs ? "Dashed lines, hollow markers: before training; solid: after training." : "One probed epoch."
        if anyError { subtitle += " Error bars: ± the estimator's error." }
        let what = taskRelevance
            ? "Task relevance of each layer's representation (between-class variance fraction, linear-probe accuracy; both in [0, 1]) for every run point, one colour and marker per measure. "
            : "Intrinsic dimension of each layer's representation for every run point, one colour and marker per estimator. "
        return FigureModel(
            name: taskRelevance ? "task-relevance-by-layer" : "id-by-layer",
            title: taskRelevance ? "Task relevance across layers" : "Intrinsic dimension across layers", subtitle: subtitle,
            caption: what
                + (twoEpochs
                    ? "Dashed lines with hollow markers are the first probed epoch (before training), solid lines the last (after training); "
                    : "Only one epoch was probed; ")
                + "all panels share one y axis.",
            legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight, sharedY: true)
    }

    /// For each estimator, ID against layer at every probed epoch, coloured along a sequential ramp.
    static func idByEpoch(_ data: ReportData) -> [FigureModel] {
        let epochs = data.allEpochs
        guard data.hasEstimates, epochs.count > 1 else { return [] }
        let colors = Palette.sequential(count: epochs.count)
        func color(_ epoch: Int) -> String { colors[epochs.firstIndex(of: epoch) ?? 0] }
        let legend: [LegendEntry] = epochs.count > 8
            ? [.ramp(title: "epoch", colors: colors, first: "\(epochs[0])", last: "\(epochs[epochs.count - 1])")]
            : epochs.map { .series(label: "epoch \($0)", color: color($0), dashed: false, hollow: false, marker: .circle) }
        return data.estimators.map { estimator in
            let panels = data.points.map { point in
                let series = data.probedEpochs(point: point.index).map { epoch in
                    PlotSeries(
                        name: "epoch \(epoch)", color: color(epoch), markerRadius: 2.6,
                        points: data.profile(point: point.index, epoch: epoch, estimator: estimator).map { row in
                            row.value.map { PlotPoint(x: Double(row.layerIndex), y: $0, error: row.error,
                                                      note: "\(point.label) · \(row.layer) · epoch \(epoch): \(describe($0, row.error))") }
                        },
                        attributes: [("data-point", "\(point.index)"), ("data-estimator", estimator), ("data-epoch", "\(epoch)")])
                }
                return PlotPanel(title: point.label, notes: failureNotes(data, point: point.index),
                                 x: layerAxis(data.layers(point: point.index)),
                                 y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: [("data-point", "\(point.index)")])
            }
            let g = grid(panels.count)
            return FigureModel(
                name: "id-by-epoch-\(slug(estimator))", title: "\(ReportData.taskRelevanceLabels[estimator].map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Intrinsic dimension") (\(estimator)) during training",
                subtitle: "One line per probed epoch, dark (early) to light (late).",
                caption: "How the \(estimator) profile across layers evolves over training: one line per checkpoint epoch, "
                    + "coloured from dark purple (first) to yellow-green (last).",
                legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight, sharedY: true)
        }
    }

    /// For each sweep axis with two or more values, the last-epoch profiles overlaid, one line per value.
    ///
    /// Points that share a value (other axes differ, e.g. seeds) are averaged; the error bar is
    /// then their standard deviation, or the estimator's own error when a value has a single point.
    /// When the points' layers differ (a depth sweep), x is relative depth, layer index / last index.
    /// Points whose training failed are left out.
    static func sweepOverlays(_ data: ReportData) -> [FigureModel] {
        guard data.hasEstimates else { return [] }
        let relative = !data.layersAgreeAcrossPoints
        let sharedLayers = data.points.map { data.layers(point: $0.index) }.first { !$0.isEmpty } ?? []
        return data.sweepAxes.compactMap { axis in
            let values = data.values(ofAxis: axis)
            guard values.count > 1 else { return nil }
            let numeric = values.allSatisfy { Double($0) != nil }
            let ramp = Palette.sequential(count: values.count)
            func color(_ i: Int) -> String { numeric ? ramp[i] : Palette.categorical(i) }
            let panels = data.estimators.map { estimator in
                let series = values.enumerated().map { i, value in
                    let members = data.completedPoints.filter { $0.assignments[axis] == value }
                    var samples: [Double: [(value: Double, error: Double?)]] = [:]
                    var names: [Double: String] = [:]
                    for point in members {
                        guard let epoch = data.probedEpochs(point: point.index).last else { continue }
                        let profile = data.profile(point: point.index, epoch: epoch, estimator: estimator)
                        let deepest = Double(max(profile.map(\.layerIndex).max() ?? 1, 1))
                        for row in profile {
                            let x = relative ? Double(row.layerIndex) / deepest : Double(row.layerIndex)
                            names[x] = row.layer
                            samples[x, default: []].append(contentsOf: row.value.map { [($0, row.error)] } ?? [])
                        }
                    }
                    let points: [PlotPoint?] = samples.keys.sorted().map { x in
                        let group = samples[x] ?? []
                        guard let m = Statistics.mean(group.map(\.value)) else { return nil }
                        let error = group.count == 1 ? group[0].error : Statistics.standardDeviation(group.map(\.value))
                        let where_ = relative ? "depth \(Format.fixed(x, decimals: 2))" : (names[x] ?? "")
                        return PlotPoint(x: x, y: m, error: error,
                                         note: "\(axis) = \(value) · \(where_) · \(estimator): \(describe(m, error)) (n = \(group.count))")
                    }
                    return PlotSeries(name: "\(axis) = \(value)", color: color(i), marker: .circle, points: points,
                                      attributes: [("data-axis", axis), ("data-value", value), ("data-estimator", estimator)])
                }
                let x = relative
                    ? PlotAxis(label: "relative depth (layer index / last index)", kind: .linear)
                    : layerAxis(sharedLayers)
                return PlotPanel(title: estimator, x: x, y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: [("data-estimator", estimator)])
            }
            let legend: [LegendEntry] = values.enumerated().map {
                .series(label: "\(axis) = \($0.element)", color: color($0.offset), dashed: false, hollow: false, marker: .circle)
            }
            let g = grid(panels.count)
            return FigureModel(
                name: "id-sweep-\(slug(axis))", title: "Intrinsic dimension across \(axis)",
                subtitle: "Last probed epoch; points sharing a value are averaged (error bars: ± standard deviation)."
                    + (data.completedPoints.count < data.points.count ? " Failed points left out." : ""),
                caption: "Last-epoch ID profiles overlaid across the values of \(axis), one panel per estimator. "
                    + "Run points that share a value of \(axis) are averaged and the error bar is their standard deviation "
                    + "(the estimator's own error when a value has one point)."
                    + (relative ? " The points' layers differ, so x is relative depth." : "")
                    + (data.completedPoints.count < data.points.count ? " Points whose training failed are left out." : ""),
                legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight)
        }
    }
}
