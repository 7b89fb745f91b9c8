/// Configurations (run points without their replicate seed) and their statistics across
/// training replicates.
extension ReportData {
    /// One configuration: its points (replicates, and probe-set replicates of them) in sweep order.
    struct Configuration {
        var index: Int
        var label: String
        var points: [ReportInput.Point]
    }

    /// One layer of a configuration's profile at one epoch: the mean across replicates, with a
    /// confidence interval when n ≥ 2; with n = 1 the single estimate and its probe-subsample spread.
    struct ProfileCell {
        var layerIndex: Int
        var layer: String
        var value: Double?
        /// n = 1: the estimator's own error bar (probe-subsample spread); nil otherwise.
        var error: Double?
        var ciLow: Double?
        var ciHigh: Double?
        var n: Int
    }

    /// Configurations in order of first appearance; a point without one is its own.
    static func configurations(of points: [ReportInput.Point]) -> [Configuration] {
        var order: [Int] = []
        var members: [Int: [ReportInput.Point]] = [:]
        // Points without a configuration get negative keys so they never merge with real ones.
        for point in points {
            let key = point.configuration ?? -1 - point.index
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(point)
        }
        return order.map { key in
            let group = members[key] ?? []
            let label = group.first?.configurationLabel ?? group.first?.label ?? ""
            return Configuration(index: key, label: label, points: group)
        }
    }

    /// Whether any configuration has statistics over two or more replicates.
    var replicated: Bool { summaryIndex.values.contains { $0.n >= 2 } }

    /// The largest replicate count of any configuration's summaries (1 without summaries).
    var maxReplicates: Int { summaryIndex.values.map(\.n).max() ?? 1 }

    /// The smallest replicate count of any summary (1 without summaries).
    var minReplicates: Int { summaryIndex.values.map(\.n).min() ?? 1 }

    /// Epochs probed in any point of the configuration, ascending.
    func probedEpochs(configuration c: Configuration) -> [Int] {
        Array(Set(c.points.flatMap { probedEpochs(point: $0.index) })).sorted()
    }

    /// Layers probed in any point of the configuration, by index.
    func layers(configuration c: Configuration) -> [(index: Int, name: String)] {
        var names: [Int: String] = [:]
        for point in c.points {
            for layer in layers(point: point.index) where names[layer.index] == nil { names[layer.index] = layer.name }
        }
        return names.keys.sorted().map { ($0, names[$0] ?? "") }
    }

    /// One estimator's profile of a configuration at one epoch. With a summary row (the
    /// pipeline's statistics across replicates) its mean and interval; without one (a single
    /// point, or an input that predates replicates) the point's estimate and its own error bar.
    func profile(configuration c: Configuration, epoch: Int, estimator: String) -> [ProfileCell] {
        let layers = layers(configuration: c)
        if c.index >= 0, layers.contains(where: { summaryIndex[SummaryKey(configuration: c.index, epoch: epoch, layerIndex: $0.index, estimator: estimator)] != nil }) {
            return layers.map { layer in
                guard let s = summaryIndex[SummaryKey(configuration: c.index, epoch: epoch, layerIndex: layer.index, estimator: estimator)],
                      s.mean.isFinite else {
                    return ProfileCell(layerIndex: layer.index, layer: layer.name, value: nil, error: nil, ciLow: nil, ciHigh: nil, n: 0)
                }
                if s.n == 1, let point = c.points.first(where: { p in
                    profile(point: p.index, epoch: epoch, estimator: estimator).contains { $0.layerIndex == layer.index && $0.value != nil }
                }) {
                    let row = profile(point: point.index, epoch: epoch, estimator: estimator).first { $0.layerIndex == layer.index }
                    return ProfileCell(layerIndex: layer.index, layer: layer.name, value: s.mean, error: row?.error,
                                       ciLow: nil, ciHigh: nil, n: 1)
                }
                return ProfileCell(layerIndex: layer.index, layer: layer.name, value: s.mean, error: nil,
                                   ciLow: s.ciLow.finite, ciHigh: s.ciHigh.finite, n: s.n)
            }
        }
        guard let point = c.points.first else { return [] }
        return profile(point: point.index, epoch: epoch, estimator: estimator).map {
            ProfileCell(layerIndex: $0.layerIndex, layer: $0.layer, value: $0.value, error: $0.error,
                        ciLow: nil, ciHigh: nil, n: $0.value == nil ? 0 : 1)
        }
    }

    /// One probed step of one layer of a configuration: the mean across replicates with its
    /// confidence interval when n ≥ 2; with n = 1 the single estimate and its probe-subsample spread.
    struct StepCell {
        var step: Int
        /// The epoch in progress at ``step``.
        var epoch: Int
        var value: Double
        /// n = 1: the estimator's own error bar; nil otherwise.
        var error: Double?
        var ciLow: Double?
        var ciHigh: Double?
        var n: Int
    }

    /// One estimator's values of one layer of a configuration at every step probed in any of its
    /// points, ascending. With a summary row (the pipeline's statistics across replicates, keyed by
    /// step) its mean and interval; without one the first point's estimate and its error bar.
    func stepProfile(configuration c: Configuration, layerIndex: Int, estimator: String) -> [StepCell] {
        let members = Set(c.points.map(\.index))
        let rows = stepEstimates.filter {
            members.contains($0.point) && $0.layerIndex == layerIndex && $0.estimator == estimator && $0.step != nil && $0.value != nil
        }
        var steps: [Int] = []
        for row in rows where !steps.contains(row.step ?? 0) { steps.append(row.step ?? 0) }
        return steps.sorted().compactMap { step in
            // Points in sweep order, so the single estimate shown for n = 1 is the first point's.
            let own = rows.filter { $0.step == step }
            guard let first = c.points.lazy.compactMap({ p in own.first { $0.point == p.index } }).first,
                  let firstValue = first.value else { return nil }
            if c.index >= 0,
               let s = summaryIndex[SummaryKey(configuration: c.index, epoch: first.epoch, step: step, layerIndex: layerIndex, estimator: estimator)],
               s.mean.isFinite {
                if s.n >= 2 {
                    return StepCell(step: step, epoch: first.epoch, value: s.mean, error: nil,
                                    ciLow: s.ciLow.finite, ciHigh: s.ciHigh.finite, n: s.n)
                }
                return StepCell(step: step, epoch: first.epoch, value: s.mean, error: first.error, ciLow: nil, ciHigh: nil, n: 1)
            }
            return StepCell(step: step, epoch: first.epoch, value: firstValue, error: first.error, ciLow: nil, ciHigh: nil, n: 1)
        }
    }

    /// A warning when run points were probed on sets of different sizes: every estimator's value
    /// depends on the number of points (TwoNN and MLE grow with it on curved data, PCA counts
    /// grow with it), so values are comparable only at one size.
    var probeSizeWarning: String? {
        let sizes = ReportData.sortedValues(Array(Set(points.compactMap { $0.assignments["probe.size"] })))
        guard sizes.count > 1 else { return nil }
        return "probe.size differs across run points (\(sizes.joined(separator: ", "))): intrinsic-dimension estimates depend "
            + "on the number of probe points, so compare values only between points probed at the same size."
    }

    /// The statistics across replicates of one cell, when the input has them.
    func summary(configuration: Int, epoch: Int, layerIndex: Int, estimator: String) -> ReportInput.Summary? {
        summaryIndex[SummaryKey(configuration: configuration, epoch: epoch, layerIndex: layerIndex, estimator: estimator)]
    }

    /// A configuration's statistics at its last hidden layer and last probed epoch (the cell
    /// ``finalLayerEstimate(point:estimator:)`` picks for its first point that has one).
    func finalSummary(configuration c: Configuration, estimator: String) -> (estimate: ReportInput.Estimate, summary: ReportInput.Summary)? {
        guard let final = c.points.lazy.compactMap({ self.finalLayerEstimate(point: $0.index, estimator: estimator) }).first,
              let s = summary(configuration: c.index, epoch: final.epoch, layerIndex: final.layerIndex, estimator: estimator) else { return nil }
        return (final, s)
    }

    /// The replicate count of a configuration (the largest n of its summaries; 1 without any).
    func replicates(configuration c: Configuration) -> Int {
        guard c.index >= 0 else { return 1 }
        return summaryIndex.filter { $0.key.configuration == c.index }.map(\.value.n).max() ?? 1
    }
}

struct SummaryKey: Hashable {
    var configuration: Int
    var epoch: Int
    /// A step probe's optimizer step; nil for an epoch probe.
    var step: Int? = nil
    var layerIndex: Int
    var estimator: String
}
