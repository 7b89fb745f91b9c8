import Foundation
@testable import Claims
import ExperimentSpec
import Statistics

/// Synthetic results of known truth: every configuration is an MLP `input, h1, h2, h3, logits`
/// probed at epochs 0 and 3; ID values are a chosen mean plus seeded Gaussian noise per replicate.
struct Synthetic {
    static let layers = ["input", "h1", "h2", "h3", "logits"]
    var configurations: [ClaimConfiguration] = []
    var observations: [Observation] = []
    var metrics: [MetricObservation] = []
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// A standard normal draw (Box–Muller).
    mutating func gaussian() -> Double {
        let u = Double(rng.next() >> 11 + 1) / Double(1 << 53), v = Double(rng.next() >> 11) / Double(1 << 53)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Adds a configuration whose ID at (layer, epoch) is `mean(layer, epoch)` + `noise` × N(0, 1)
    /// in each of `replicates` replicates, for estimator `pr`.
    @discardableResult
    mutating func add(_ assignments: [String: String] = [:], replicates: Int, noise: Double,
                      mean: (String, Int) -> Double?) -> Int {
        let index = configurations.count
        let label = assignments.isEmpty ? "base" : assignments.sorted { $0.key < $1.key }
            .map { "\($0.key.split(separator: ".").last ?? "")=\($0.value)" }.joined(separator: ",")
        configurations.append(ClaimConfiguration(index: index, label: label, assignments: assignments, layerNames: Self.layers,
                                                 probedLayers: Self.layers, lastEpoch: 3))
        for r in 0..<replicates {
            for epoch in [0, 3] {
                for (i, layer) in Self.layers.enumerated() {
                    guard let m = mean(layer, epoch) else { continue }
                    observations.append(Observation(configuration: index, replicate: r, epoch: epoch, layer: layer,
                                                    layerIndex: i, estimator: "pr", value: m + noise * gaussian()))
                }
            }
        }
        return index
    }

    mutating func metric(_ configuration: Int, _ name: String, replicates: Int, epoch: Int = 3, noise: Double, mean: Double) {
        for r in 0..<replicates {
            metrics.append(MetricObservation(configuration: configuration, replicate: r, epoch: epoch, metric: name,
                                             value: mean + noise * gaussian()))
        }
    }

    var data: ClaimData { ClaimData(configurations: configurations, observations: observations, metrics: metrics) }
}

extension ClaimSpec {
    static func cells(_ id: String, _ direction: ClaimDirection, layer: String = "last_hidden", estimator: String = "pr",
                      minEffect: Double? = nil) -> ClaimSpec {
        ClaimSpec(id: id, statement: "\(id) statement", estimator: estimator, kind: .cells, direction: direction,
                  minEffect: minEffect, cell: CellRef(layer: layer, epoch: .last), baseline: CellRef(layer: layer, epoch: .number(0)))
    }
}
