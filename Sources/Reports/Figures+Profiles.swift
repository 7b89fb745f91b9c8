import Statistics

/// Figures of ID against layer: per point, per epoch, and across a sweep axis.
extension Figures {
    /// ID against layer, before against after training: one row of panels per estimator (each
    /// estimator on its own y axis, shared across its panels), one panel per configuration.
    /// The first probed epoch is dashed with hollow markers, the last solid — the central figure
    /// of Ansuini et al. (2019) and Recanatesi et al. (2019).
    ///
    /// With replicates a line is the mean across training replicates and its band the 95 %
    /// confidence interval (Student t); a configuration with one replicate says "n = 1" and shows
    /// the estimator's probe-subsample spread as error bars instead.
    static func idByLayer(_ data: ReportData) -> FigureModel? {
        profilesByLayer(data, estimators: data.idEstimators, taskRelevance: false)
    }

    /// The task-relevance measures (`class_geometry`, `linear_probe`) against layer, drawn like
    /// ``idByLayer(_:)`` in a figure of their own: they are in [0, 1], not dimensions.
    static func taskRelevanceByLayer(_ data: ReportData) -> FigureModel? {
        profilesByLayer(data, estimators: data.taskMeasures, taskRelevance: true)
    }

    private static func profilesByLayer(_ data: ReportData, estimators: [String], taskRelevance: Bool) -> FigureModel? {
        guard data.hasEstimates, !estimators.isEmpty else { return nil }
        let configurations = data.configurations
        let columns = min(max(configurations.count, 1), 4)
        var panels: [PlotPanel] = []
        var firstEpochs = Set<Int>(), lastEpochs = Set<Int>()
        var anyError = false, anyBand = false, anySingle = false
        var levels = Set<Double>()
        let steps = marksSteps(data.points.flatMap { data.layers(point: $0.index).map(\.name) })
        for estimator in estimators {
            for c in configurations {
                let epochs = data.probedEpochs(configuration: c)
                let n = data.replicates(configuration: c)
                var series: [PlotSeries] = []
                if let first = epochs.first, let last = epochs.last {
                    firstEpochs.insert(first)
                    lastEpochs.insert(last)
                    for epoch in first == last ? [last] : [first, last] {
                        let before = epoch == first && first != last
                        let cells = data.profile(configuration: c, epoch: epoch, estimator: estimator)
                        anyError = anyError || cells.contains { $0.error != nil }
                        let band = cells.compactMap { cell -> PlotBand? in
                            guard let low = cell.ciLow, let high = cell.ciHigh else { return nil }
                            return PlotBand(x: Double(cell.layerIndex), low: low, high: high)
                        }
                        anyBand = anyBand || !band.isEmpty
                        series.append(PlotSeries(
                            name: "\(estimator) · epoch \(epoch)", color: estimatorColor(data, estimator),
                            // With inner points the fill tells linear from nonlinear steps; epochs keep their dashes.
                            dashed: before, hollow: before && !steps, marker: estimatorMarker(data, estimator),
                            points: cells.map { cell in
                                cell.value.map { PlotPoint(x: Double(cell.layerIndex), y: $0, error: cell.error,
                                                           note: profileNote(c.label, cell, estimator: estimator, epoch: epoch),
                                                           hollow: steps ? isLinearStep(cell.layer) : nil) }
                            },
                            band: band,
                            attributes: configurationAttributes(c) + [("data-estimator", estimator),
                                                                      ("data-epoch", "\(epoch)"), ("data-n", "\(n)")]))
                    }
                }
                if n == 1 { anySingle = true }
                for s in data.input.summaries where s.configuration == c.index { levels.insert(s.level) }
                let failures = c.points.flatMap { failureNotes(data, point: $0.index) }
                panels.append(PlotPanel(title: c.label, notes: [n == 1 ? "n = 1" : "n = \(n) replicates"] + failures.prefix(1),
                                        x: layerAxis(data.layers(configuration: c)),
                                        y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                        attributes: configurationAttributes(c) + [("data-estimator", estimator), ("data-n", "\(n)")],
                                        yGroup: estimator))
            }
            // Each estimator starts a new row.
            while panels.count % columns != 0 { panels.append(PlotPanel.empty) }
        }
        var legend: [LegendEntry] = estimators.map {
            .series(label: $0, color: estimatorColor(data, $0), dashed: false, hollow: false, marker: estimatorMarker(data, $0))
        }
        let before = firstEpochs.count == 1 ? firstEpochs.first.map { $0 == 0 ? "epoch 0 (at initialisation)" : "epoch \($0) (first probed)" } : nil
        let after = lastEpochs.count == 1 ? lastEpochs.first.map { "epoch \($0) (last probed)" } : nil
        let twoEpochs = firstEpochs != lastEpochs || configurations.contains { data.probedEpochs(configuration: $0).count > 1 }
        if twoEpochs {
            legend.append(.series(label: before ?? "first probed epoch", color: Style.muted, dashed: true, hollow: !steps,
                                  marker: steps ? nil : .circle))
            legend.append(.series(label: after ?? "last probed epoch", color: Style.muted, dashed: false, hollow: false,
                                  marker: steps ? nil : .circle))
        }
        if steps { legend += stepLegend }
        let level = levels.count == 1 ? Format.percentLevel(levels.first ?? 0.95) : "95 %"
        if anyBand { legend.append(.band(label: "\(level) CI across replicates (Student t)", color: Style.muted)) }
        if anyError { legend.append(.errorBar(label: "n = 1: ± probe-subsample spread", color: Style.muted)) }
        var subtitle = twoEpochs
            ? (steps ? "Dashed: before training; solid: after training. Hollow markers: linear steps; filled: after a nonlinearity."
                : "Dashed, hollow: before training; solid: after training.")
            : (steps ? "One probed epoch. Hollow markers: linear steps; filled: after a nonlinearity." : "One probed epoch.")
        if anyBand { subtitle += " Lines: mean across replicates; bands: \(level) CI across replicates." }
        if anySingle { subtitle += anyError ? " n = 1: error bars are the probe-subsample spread, not seed variation." : " n = 1: no replicates." }
        let g = size(columns: columns)
        return FigureModel(
            name: taskRelevance ? "task-relevance-by-layer" : "id-by-layer",
            title: taskRelevance ? "Task relevance across layers" : "Intrinsic dimension across layers", subtitle: subtitle,
            caption: (taskRelevance
                ? "Task relevance of each layer's representation (between-class variance fraction, linear-probe accuracy; both in [0, 1]), "
                    + "one row of panels per measure and one panel per configuration. "
                : "Intrinsic dimension of each layer's representation, one row of panels per estimator (each on its own y axis, "
                    + "shared within the row) and one panel per configuration. ")
                + (twoEpochs
                    ? (steps ? "Dashed lines are the first probed epoch (before training), solid lines the last (after training). "
                        : "Dashed lines with hollow markers are the first probed epoch (before training), solid lines the last (after training). ")
                    : "Only one epoch was probed. ")
                + (anyBand ? "Lines are means across training replicates; shaded bands are \(level) Student-t confidence intervals across replicates (n on each panel). " : "")
                + (anySingle ? "Panels marked n = 1 have a single replicate" + (anyError ? "; their error bars are the estimator's spread over random probe subsets, which leaves out seed-to-seed variation." : ".") : "")
                + (steps ? stepCaption : ""),
            legend: legend, panels: panels, columns: columns, panelWidth: g.width, panelHeight: g.plotHeight)
    }

    /// `data-configuration` (absent for a point that has none) and, for a configuration of one
    /// point, that point's `data-point`.
    static func configurationAttributes(_ c: ReportData.Configuration) -> [(String, String)] {
        (c.index >= 0 ? [("data-configuration", "\(c.index)")] : []) + (c.points.count == 1 ? [("data-point", "\(c.points[0].index)")] : [])
    }

    /// A marker's tooltip: where, what, and how many replicates.
    static func profileNote(_ label: String, _ cell: ReportData.ProfileCell, estimator: String, epoch: Int?,
                            place: String? = nil) -> String {
        guard let value = cell.value else { return "" }
        var text = "\(label) · \(place ?? cell.layer) · \(estimator)" + (epoch.map { " · epoch \($0)" } ?? "") + ": "
        if let low = cell.ciLow, let high = cell.ciHigh {
            text += "mean \(Format.general(value)), CI [\(Format.general(low)), \(Format.general(high))] (n = \(cell.n))"
        } else {
            text += describe(value, cell.error) + " (n = \(cell.n))"
        }
        return text
    }

    /// For each estimator, ID against layer at every probed epoch, coloured along a sequential
    /// ramp, one panel per configuration (the mean across replicates where there are several).
    /// Left out when no configuration has more than two probed epochs: `id-by-layer` already
    /// shows the first and the last.
    static func idByEpoch(_ data: ReportData) -> [FigureModel] {
        let epochs = data.allEpochs
        guard data.hasEstimates, epochs.count > 2 else { return [] }
        let colors = Palette.sequential(count: epochs.count)
        func color(_ epoch: Int) -> String { colors[epochs.firstIndex(of: epoch) ?? 0] }
        let steps = marksSteps(data.points.flatMap { data.layers(point: $0.index).map(\.name) })
        let legend: [LegendEntry] = (epochs.count > 8
            ? [.ramp(title: "epoch", colors: colors, first: "\(epochs[0])", last: "\(epochs[epochs.count - 1])")]
            : epochs.map { .series(label: "epoch \($0)", color: color($0), dashed: false, hollow: false, marker: steps ? nil : .circle) })
            + (steps ? stepLegend : [])
        let replicated = data.replicated
        return data.estimators.map { estimator in
            var anyError = false
            let panels = data.configurations.map { c in
                let n = data.replicates(configuration: c)
                let series = data.probedEpochs(configuration: c).map { epoch in
                    let cells = data.profile(configuration: c, epoch: epoch, estimator: estimator)
                    anyError = anyError || cells.contains { $0.error != nil }
                    return PlotSeries(
                        name: "epoch \(epoch)", color: color(epoch), markerRadius: 2.6,
                        points: cells.map { cell in
                            cell.value.map { PlotPoint(x: Double(cell.layerIndex), y: $0, error: cell.error,
                                                       note: profileNote(c.label, cell, estimator: estimator, epoch: epoch),
                                                       hollow: steps ? isLinearStep(cell.layer) : nil) }
                        },
                        attributes: configurationAttributes(c) + [("data-estimator", estimator), ("data-epoch", "\(epoch)")])
                }
                return PlotPanel(title: c.label, notes: [n == 1 ? "n = 1" : "mean of n = \(n) replicates"]
                                    + c.points.flatMap { failureNotes(data, point: $0.index) }.prefix(1),
                                 x: layerAxis(data.layers(configuration: c)),
                                 y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: configurationAttributes(c) + [("data-n", "\(n)")])
            }
            let g = grid(panels.count)
            var full = legend
            if anyError { full.append(.errorBar(label: "n = 1: ± probe-subsample spread", color: Style.muted)) }
            return FigureModel(
                name: "id-by-epoch-\(slug(estimator))",
                title: "\(ReportData.taskRelevanceLabels[estimator].map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Intrinsic dimension") (\(estimator)) during training",
                subtitle: "One line per probed epoch, dark (early) to light (late)." + (steps ? " Hollow markers: linear steps." : "")
                    + (replicated ? " Lines are means across replicates (n on each panel)." : "")
                    + (anyError ? " Error bars (n = 1 only): probe-subsample spread." : ""),
                caption: "How the \(estimator) profile across layers evolves over training: one line per checkpoint epoch, "
                    + "coloured from dark purple (first) to yellow-green (last)"
                    + (replicated ? "; each line is the mean across training replicates." : ".") + (steps ? stepCaption : ""),
                legend: full, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight, sharedY: true)
        }
    }

    /// For each sweep axis with two or more values, the last-epoch profiles overlaid, one line per value.
    ///
    /// A value held by one configuration shows that configuration's profile: the mean across
    /// replicates with its confidence band, or with n = 1 the estimate and its probe-subsample
    /// spread. Configurations that share a value (other axes differ) are averaged and the error
    /// bar is the standard deviation across them. When the layers differ (a depth sweep), x is
    /// relative depth, layer index / last index. Configurations whose training failed in every
    /// replicate are left out.
    static func sweepOverlays(_ data: ReportData) -> [FigureModel] {
        guard data.hasEstimates else { return [] }
        let relative = !data.layersAgreeAcrossPoints
        let sharedLayers = data.points.map { data.layers(point: $0.index) }.first { !$0.isEmpty } ?? []
        let completed = Set(data.completedPoints.map(\.index))
        let usable = data.configurations.filter { c in c.points.contains { completed.contains($0.index) } }
        let steps = marksSteps(data.points.flatMap { data.layers(point: $0.index).map(\.name) })
        return data.sweepAxes.compactMap { axis in
            let values = data.values(ofAxis: axis)
            guard values.count > 1 else { return nil }
            let numeric = values.allSatisfy { Double($0) != nil }
            let ramp = Palette.sequential(count: values.count)
            func color(_ i: Int) -> String { numeric ? ramp[i] : Palette.categorical(i) }
            var kinds = Set<String>()
            let panels = data.estimators.map { estimator in
                let series = values.enumerated().map { i, value in
                    let members = usable.filter { $0.points.first?.assignments[axis] == value }
                    var cells: [Double: [ReportData.ProfileCell]] = [:]
                    var names: [Double: String] = [:]
                    for c in members {
                        guard let epoch = data.probedEpochs(configuration: c).last else { continue }
                        let profile = data.profile(configuration: c, epoch: epoch, estimator: estimator)
                        let deepest = Double(max(profile.map(\.layerIndex).max() ?? 1, 1))
                        for cell in profile where cell.value != nil {
                            let x = relative ? Double(cell.layerIndex) / deepest : Double(cell.layerIndex)
                            names[x] = cell.layer
                            cells[x, default: []].append(cell)
                        }
                    }
                    var band: [PlotBand] = []
                    let points: [PlotPoint?] = cells.keys.sorted().map { x in
                        let group = cells[x] ?? []
                        let where_ = relative ? "depth \(Format.fixed(x, decimals: 2))" : (names[x] ?? "")
                        if group.count == 1 {
                            let cell = group[0]
                            if let low = cell.ciLow, let high = cell.ciHigh {
                                band.append(PlotBand(x: x, low: low, high: high))
                                kinds.insert("band")
                            } else if cell.error != nil { kinds.insert("probe") }
                            return cell.value.map {
                                PlotPoint(x: x, y: $0, error: cell.error,
                                          note: profileNote("\(axis) = \(value)", cell, estimator: estimator, epoch: nil, place: where_),
                                          hollow: steps ? isLinearStep(cell.layer) : nil)
                            }
                        }
                        let means = group.compactMap(\.value)
                        guard let m = Statistics.mean(means) else { return nil }
                        let sd = Statistics.standardDeviation(means)
                        if sd != nil { kinds.insert("spread") }
                        return PlotPoint(x: x, y: m, error: sd,
                                         note: "\(axis) = \(value) · \(where_) · \(estimator): \(describe(m, sd)) (mean of \(group.count) configurations)",
                                         hollow: steps ? isLinearStep(names[x] ?? "") : nil)
                    }
                    return PlotSeries(name: "\(axis) = \(value)", color: color(i), marker: .circle, points: points, band: band,
                                      attributes: [("data-axis", axis), ("data-value", value), ("data-estimator", estimator)])
                }
                let x = relative
                    ? PlotAxis(label: "relative depth (layer index / last index)", kind: .linear)
                    : layerAxis(sharedLayers)
                return PlotPanel(title: estimator, x: x, y: PlotAxis(label: idLabel(estimator), kind: .linear), series: series,
                                 attributes: [("data-estimator", estimator)])
            }
            var legend: [LegendEntry] = values.enumerated().map {
                .series(label: "\(axis) = \($0.element)", color: color($0.offset), dashed: false, hollow: false, marker: steps ? nil : .circle)
            } + (steps ? stepLegend : [])
            var meaning: [String] = []
            if kinds.contains("band") {
                legend.append(.band(label: "95 % CI across replicates", color: Style.muted))
                meaning.append("bands: 95 % CI across replicates")
            }
            if kinds.contains("spread") {
                legend.append(.errorBar(label: "± sd across configurations sharing the value", color: Style.muted))
                meaning.append("error bars: ± sd across the configurations that share a value")
            }
            if kinds.contains("probe") {
                legend.append(.errorBar(label: "n = 1: ± probe-subsample spread", color: Style.muted))
                meaning.append("error bars on single runs (n = 1): probe-subsample spread")
            }
            let leftOut = data.configurations.count - usable.count
            let g = grid(panels.count)
            return FigureModel(
                name: "id-sweep-\(slug(axis))", title: "Intrinsic dimension across \(axis)",
                subtitle: "Last probed epoch" + (meaning.isEmpty ? "." : "; " + meaning.joined(separator: "; ") + ".")
                    + (leftOut > 0 ? " Failed configurations left out." : ""),
                caption: "Last-epoch ID profiles overlaid across the values of \(axis), one panel per estimator. "
                    + "A value held by one configuration shows its mean across training replicates with a 95 % confidence band "
                    + "(or, with a single replicate, the estimate with its probe-subsample spread); configurations that share a value "
                    + "of \(axis) are averaged and the error bar is their standard deviation."
                    + (relative ? " The configurations' layers differ, so x is relative depth." : "")
                    + (leftOut > 0 ? " Configurations whose training failed are left out." : "")
                    + (steps ? stepCaption : ""),
                legend: legend, panels: panels, columns: g.columns, panelWidth: g.width, panelHeight: g.plotHeight)
        }
    }
}
