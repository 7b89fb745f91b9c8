import Foundation
import Statistics

/// n, mean, standard deviation and a Student-t confidence interval of one group of replicates.
///
/// ```
/// x̄ = Σ xᵢ / n,   s = √(Σ (xᵢ − x̄)² / (n − 1)),   CI = x̄ ± t_{1−α/2, n−1} · s / √n
/// ```
/// The interval is across replicates (training seeds): it covers seed-to-seed variation, which
/// a probe-subsample error bar does not. With n = 1 there is no spread: `sd` and the interval are nil.
public struct GroupStatistics: Codable, Equatable, Sendable {
    public var n: Int
    public var mean: Double
    public var sd: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    /// Confidence level of the interval (0.95 unless asked otherwise).
    public var level: Double

    enum CodingKeys: String, CodingKey {
        case n, mean, sd, level
        case ciLow = "ci_low", ciHigh = "ci_high"
    }

    /// The statistics of `values`, or nil when there are none.
    public init?(_ values: [Double], level: Double = 0.95) {
        guard let m = Statistics.mean(values) else { return nil }
        n = values.count
        mean = m
        self.level = level
        guard let s = standardDeviation(values) else { return }
        sd = s
        let half = StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - (1 - level) / 2) * s / Double(n).squareRoot()
        ciLow = m - half
        ciHigh = m + half
    }
}

/// One row of `summary.csv`: a configuration × epoch × layer × estimator aggregated over replicates.
public struct GroupSummary: Codable, Equatable, Sendable {
    public var configuration: Int
    public var epoch: Int
    public var layer: String
    public var layerIndex: Int
    public var estimator: String
    public var statistics: GroupStatistics
    /// A step probe's global optimizer step; nil for an epoch probe.
    public var step: Int? = nil

    enum CodingKeys: String, CodingKey {
        case configuration, epoch, layer, estimator, statistics, step
        case layerIndex = "layer_index"
    }

    /// Groups tidy observations by configuration, epoch, layer and estimator, in that sort order
    /// (layers by depth, estimators by name), each with ``GroupStatistics`` across its replicates.
    /// Several observations of one replicate are averaged first (``Observation/replicateMeans(_:)``),
    /// so n counts training seeds, never probe sets.
    ///
    /// - Complexity: O(n log n) in the number of observations.
    public static func summarize(_ observations: [Observation], level: Double = 0.95) -> [GroupSummary] {
        struct Key: Hashable { var configuration: Int, epoch: Int, step: Int?, layer: String, layerIndex: Int, estimator: String }
        var groups: [Key: [Double]] = [:]
        for o in Observation.replicateMeans(observations) {
            groups[Key(configuration: o.configuration, epoch: o.epoch, step: o.step, layer: o.layer, layerIndex: o.layerIndex,
                       estimator: o.estimator), default: []].append(o.value)
        }
        return groups.compactMap { key, values in
            GroupStatistics(values, level: level).map {
                GroupSummary(configuration: key.configuration, epoch: key.epoch, layer: key.layer, layerIndex: key.layerIndex,
                             estimator: key.estimator, statistics: $0, step: key.step)
            }
        }.sorted {
            // Epoch probes first, then step probes, each in time order.
            let a = $0.order, b = $1.order
            return ($0.configuration, a.0, a.1, a.2, $0.layerIndex, $0.estimator) < ($1.configuration, b.0, b.1, b.2, $1.layerIndex, $1.estimator)
        }
    }

    private var order: (Int, Int, Int) { step.map { (1, $0, epoch) } ?? (0, epoch, 0) }
}
