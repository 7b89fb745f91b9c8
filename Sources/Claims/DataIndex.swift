import ExperimentSpec

/// A measured effect before multiplicity correction.
struct Measure {
    var effect: Double
    var ciLow: Double
    var ciHigh: Double
    var p: Double
    var n: Int
    var method: String
    var note: String?
}

enum Outcome {
    case measured(Measure, ClaimBasis)
    case notTestable(String, ClaimBasis)
}

/// Observations and metrics indexed for lookup by cell and replicate.
struct DataIndex {
    /// An epoch probe has its epoch and no step; a step probe its step and no epoch (the epoch in
    /// progress is kept apart, in ``stepEpochs``), so the two never share a key.
    struct CellKey: Hashable {
        var configuration: Int, epoch: Int?, step: Int?, layer: String, estimator: String
    }
    struct StepKey: Hashable {
        var configuration: Int, step: Int
    }
    struct MetricKey: Hashable {
        var configuration: Int, epoch: Int, metric: String
    }
    let configurations: [ClaimConfiguration]
    private var cells: [CellKey: [Int: Double]] = [:]
    private var metrics: [MetricKey: [Int: Double]] = [:]
    private var stepEpochs: [StepKey: Int] = [:]

    init(_ data: ClaimData) {
        configurations = data.configurations
        for o in Observation.replicateMeans(data.observations) {
            let key = CellKey(configuration: o.configuration, epoch: o.step == nil ? o.epoch : nil, step: o.step, layer: o.layer,
                              estimator: o.estimator)
            cells[key, default: [:]][o.replicate] = o.value
            if let step = o.step { stepEpochs[StepKey(configuration: o.configuration, step: step)] = o.epoch }
        }
        var sums: [MetricKey: [Int: (sum: Double, count: Int)]] = [:]
        for m in data.metrics where m.value.isFinite {
            let old = sums[MetricKey(configuration: m.configuration, epoch: m.epoch, metric: m.metric), default: [:]][m.replicate] ?? (0, 0)
            sums[MetricKey(configuration: m.configuration, epoch: m.epoch, metric: m.metric), default: [:]][m.replicate] = (old.sum + m.value, old.count + 1)
        }
        metrics = sums.mapValues { $0.mapValues { $0.sum / Double($0.count) } }
    }

    /// Replicate → value of one cell.
    func values(_ c: ClaimConfiguration, layer: String, epoch: Int, estimator: String) -> [Int: Double] {
        cells[CellKey(configuration: c.index, epoch: epoch, step: nil, layer: layer, estimator: estimator)] ?? [:]
    }

    /// Replicate → value of one cell probed at an optimizer step.
    func values(_ c: ClaimConfiguration, layer: String, step: Int, estimator: String) -> [Int: Double] {
        cells[CellKey(configuration: c.index, epoch: nil, step: step, layer: layer, estimator: estimator)] ?? [:]
    }

    /// The epoch in progress at a probed step (the step rows' `epoch`), when any row has it.
    func epoch(_ c: ClaimConfiguration, step: Int) -> Int? {
        stepEpochs[StepKey(configuration: c.index, step: step)]
    }

    /// Replicate → value of a metric; `generalization_gap` is train minus test accuracy.
    func metric(_ c: ClaimConfiguration, _ name: String, epoch: Int) -> [Int: Double] {
        if name == "generalization_gap" {
            let train = metric(c, "train_accuracy", epoch: epoch), test = metric(c, "test_accuracy", epoch: epoch)
            return train.reduce(into: [:]) { out, pair in if let t = test[pair.key] { out[pair.key] = pair.value - t } }
        }
        return metrics[MetricKey(configuration: c.index, epoch: epoch, metric: name)] ?? [:]
    }

    /// The configurations a claim reads: those matching every `where` entry.
    func selected(_ claim: ClaimSpec) -> [ClaimConfiguration] {
        configurations.filter { c in claim.filter.allSatisfy { c.assignments[$0.key] == $0.value } }
    }
}

extension Observation {
    /// One observation per configuration × replicate × epoch × layer × estimator: several of the
    /// same replicate (e.g. estimates on several probe sets of one trained network) are averaged,
    /// because the training seed is the unit of replication; non-finite values are dropped.
    /// Order: first appearance.
    public static func replicateMeans(_ observations: [Observation]) -> [Observation] {
        struct Key: Hashable { var configuration: Int, replicate: Int, epoch: Int, step: Int?, layer: String, estimator: String }
        var order: [Key] = [], sums: [Key: (first: Observation, sum: Double, count: Int)] = [:]
        for o in observations where o.value.isFinite {
            let key = Key(configuration: o.configuration, replicate: o.replicate, epoch: o.epoch, step: o.step, layer: o.layer,
                          estimator: o.estimator)
            if let s = sums[key] {
                sums[key] = (s.first, s.sum + o.value, s.count + 1)
            } else {
                order.append(key)
                sums[key] = (o, o.value, 1)
            }
        }
        return order.compactMap { key in
            sums[key].map { s in
                var o = s.first
                o.value = s.sum / Double(s.count)
                return o
            }
        }
    }
}

/// Replicates present in every map, ascending.
func commonReplicates(_ maps: [[Int: Double]]) -> [Int] {
    guard var common = maps.first.map({ Set($0.keys) }) else { return [] }
    for m in maps.dropFirst() { common.formIntersection(m.keys) }
    return common.sorted()
}

/// Mean over configurations of per-replicate values, for replicates present in all of them.
func pooledByReplicate(_ maps: [[Int: Double]]) -> [Double] {
    commonReplicates(maps).map { r in maps.reduce(0) { $0 + ($1[r] ?? 0) } / Double(maps.count) }
}
