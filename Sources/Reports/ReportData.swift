/// A cleaned, indexed view of a `ReportInput` that the figures, tables and terminal output query.
///
/// Non-finite numbers become `nil`, duplicate estimate rows keep the last one, and rows are grouped
/// by point so that each query scans one point's rows only.
struct ReportData {
    let input: ReportInput
    /// Estimator names in order of first appearance.
    let estimators: [String]

    /// The task-relevance measures (values in [0, 1], not dimensions) and what their axes say.
    static let taskRelevanceLabels = ["class_geometry": "between-class variance fraction",
                                      "linear_probe": "linear-probe accuracy"]
    /// The intrinsic-dimension estimators among ``estimators``.
    var idEstimators: [String] { estimators.filter { Self.taskRelevanceLabels[$0] == nil } }
    /// The task-relevance measures among ``estimators``.
    var taskMeasures: [String] { estimators.filter { Self.taskRelevanceLabels[$0] != nil } }
    /// Spec paths that are swept (appear in any point's assignments), sorted; the replicate seeds,
    /// which vary inside a configuration, are not among them.
    let sweepAxes: [String]
    private let estimatesByPoint: [Int: [ReportInput.Estimate]]
    /// The rows of step probes, finite values only, in input order.
    let stepEstimates: [ReportInput.Estimate]
    private let metricsByPoint: [Int: [ReportInput.EpochMetrics]]
    /// The input's statistics across replicates, by configuration, epoch, step, layer and estimator.
    let summaryIndex: [SummaryKey: ReportInput.Summary]
    /// The input's configurations, in order of first appearance.
    let configurations: [Configuration]

    init(_ input: ReportInput) {
        self.input = input
        var seen = Set<String>()
        var estimators: [String] = []
        var byKey: [EstimateKey: ReportInput.Estimate] = [:]
        var keyOrder: [EstimateKey] = []
        var stepRows: [ReportInput.Estimate] = []
        for row in input.estimates {
            var clean = row
            clean.value = row.value.finite
            clean.error = row.error.finite.map(abs)
            // Step probes have their own figure; every other figure is by epoch.
            if row.step != nil {
                stepRows.append(clean)
                continue
            }
            if seen.insert(row.estimator).inserted { estimators.append(row.estimator) }
            let key = EstimateKey(point: row.point, epoch: row.epoch, layerIndex: row.layerIndex, estimator: row.estimator)
            if byKey.updateValue(clean, forKey: key) == nil { keyOrder.append(key) }
        }
        self.estimators = estimators
        stepEstimates = stepRows
        var grouped: [Int: [ReportInput.Estimate]] = [:]
        for key in keyOrder { if let row = byKey[key] { grouped[row.point, default: []].append(row) } }
        estimatesByPoint = grouped

        var metrics: [Int: [ReportInput.EpochMetrics]] = [:]
        for row in input.metrics {
            var clean = row
            clean.trainLoss = row.trainLoss.finite
            clean.trainAccuracy = row.trainAccuracy.finite
            clean.testLoss = row.testLoss.finite
            clean.testAccuracy = row.testAccuracy.finite
            metrics[row.point, default: []].append(clean)
        }
        metricsByPoint = metrics.mapValues { $0.sorted { $0.epoch < $1.epoch } }
        var summaries: [SummaryKey: ReportInput.Summary] = [:]
        for row in input.summaries {
            summaries[SummaryKey(configuration: row.configuration, epoch: row.epoch, step: row.step, layerIndex: row.layerIndex,
                                 estimator: row.estimator)] = row
        }
        summaryIndex = summaries
        let configurations = Self.configurations(of: input.points)
        self.configurations = configurations
        // Axes that vary inside a configuration number its replicates; they are not conditions.
        let replicateAxes = Set(configurations.filter { $0.index >= 0 }.flatMap { c in
            Set(c.points.flatMap { $0.assignments.keys }).filter { axis in Set(c.points.map { $0.assignments[axis] }).count > 1 }
        })
        sweepAxes = Array(Set(input.points.flatMap { $0.assignments.keys }).subtracting(replicateAxes)).sorted()
    }

    private struct EstimateKey: Hashable {
        let point: Int
        let epoch: Int
        let layerIndex: Int
        let estimator: String
    }

    var points: [ReportInput.Point] { input.points }

    var hasEstimates: Bool { estimatesByPoint.values.contains { rows in rows.contains { $0.value != nil } } }

    func estimates(point: Int) -> [ReportInput.Estimate] { estimatesByPoint[point] ?? [] }

    /// Whether any estimate carries an error bar.
    var anyErrorBar: Bool {
        estimatesByPoint.values.contains { rows in rows.contains { $0.error != nil && $0.value != nil } }
    }

    func metrics(point: Int) -> [ReportInput.EpochMetrics] { metricsByPoint[point] ?? [] }

    /// The epochs at which a point was probed, ascending.
    func probedEpochs(point: Int) -> [Int] {
        Array(Set(estimates(point: point).map(\.epoch))).sorted()
    }

    /// Every epoch probed at any point, ascending.
    var allEpochs: [Int] {
        Array(Set(estimatesByPoint.values.flatMap { $0.map(\.epoch) })).sorted()
    }

    /// The layers a point was probed at, by index, with the first name seen for each index.
    func layers(point: Int) -> [(index: Int, name: String)] {
        var names: [Int: String] = [:]
        for row in estimates(point: point) where names[row.layerIndex] == nil { names[row.layerIndex] = row.layer }
        return names.keys.sorted().map { ($0, names[$0] ?? "") }
    }

    /// Whether every point that has estimates shares one layer-index → name mapping.
    var layersAgreeAcrossPoints: Bool {
        var reference: [Int: String]?
        for point in points {
            let layers = self.layers(point: point.index)
            if layers.isEmpty { continue }
            let map = Dictionary(uniqueKeysWithValues: layers.map { ($0.index, $0.name) })
            if let reference, reference != map { return false }
            reference = map
        }
        return true
    }

    /// One estimator's values at one epoch, one entry per probed layer of the point (value `nil` = missing).
    func profile(point: Int, epoch: Int, estimator: String) -> [(layerIndex: Int, layer: String, value: Double?, error: Double?)] {
        let rows = estimates(point: point).filter { $0.epoch == epoch && $0.estimator == estimator }
        let byIndex = Dictionary(rows.map { ($0.layerIndex, $0) }, uniquingKeysWith: { _, last in last })
        return layers(point: point).map { layer in
            let row = byIndex[layer.index]
            return (layer.index, layer.name, row?.value, row?.error)
        }
    }

    /// The estimate at a point's last hidden layer (the deepest probed layer that is not the
    /// logits, as in Ansuini et al. 2019; the logits only when nothing else was probed) and last
    /// probed epoch. For imported activations, the layer before the last listed (the last when
    /// fewer than three are listed), as `last_hidden` in a claim. Its value may be missing.
    func finalLayerEstimate(point: Int, estimator: String) -> ReportInput.Estimate? {
        let rows = estimates(point: point)
        guard let epoch = rows.map(\.epoch).max() else { return nil }
        let atEpoch = rows.filter { $0.epoch == epoch }
        if input.points.first(where: { $0.index == point })?.imported == true {
            let order = Set(atEpoch.map(\.layerIndex)).sorted()
            guard let last = order.last else { return nil }
            let chosen = order.count >= 3 ? order[order.count - 2] : last
            return atEpoch.last { $0.layerIndex == chosen && $0.estimator == estimator }
        }
        let hidden = atEpoch.filter { $0.layer != "logits" }
        guard let deepest = (hidden.isEmpty ? atEpoch : hidden).map(\.layerIndex).max() else { return nil }
        return atEpoch.last { $0.layerIndex == deepest && $0.estimator == estimator }
    }

    /// The point's final test accuracy: its own field, else the last metrics row that has one.
    func finalTestAccuracy(point: ReportInput.Point) -> Double? {
        if let accuracy = point.testAccuracy.finite { return accuracy }
        return metrics(point: point.index).last { $0.testAccuracy != nil }?.testAccuracy
    }

    /// The SGD noise scale at the last epoch it was recorded for.
    func finalNoiseScale(point: ReportInput.Point) -> Double? {
        point.noiseScale.filter { $0.value.isFinite }.max { $0.epoch < $1.epoch }?.value
    }

    /// Points with no failure attached: their last probed epoch is the end of training.
    var completedPoints: [ReportInput.Point] {
        points.filter { failures(point: $0.index).isEmpty }
    }

    /// Failures attached to a point.
    func failures(point: Int) -> [ReportInput.Failure] {
        input.failures.filter { $0.point == point }
    }

    /// The distinct values of a sweep axis, numerically sorted when all are numbers.
    func values(ofAxis axis: String) -> [String] {
        let values = Array(Set(points.compactMap { $0.assignments[axis] }))
        return Self.sortedValues(values)
    }

    static func sortedValues(_ values: [String]) -> [String] {
        let numbers = values.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(values, numbers).sorted { ($0.1 ?? 0, $0.0) < ($1.1 ?? 0, $1.0) }.map(\.0)
        }
        return values.sorted()
    }
}

extension Optional where Wrapped == Double {
    /// The value if present and finite, else `nil`.
    var finite: Double? {
        guard let value = self, value.isFinite else { return nil }
        return value
    }
}
