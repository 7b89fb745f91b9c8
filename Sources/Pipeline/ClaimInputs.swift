import Claims
import Foundation
import ResultBundles

/// The claims engine's tidy input, read off a run's aggregate, and its output files.
public enum ClaimInputs {
    public static let claimsFile = "claims.json"
    public static let markdownFile = "claims.md"

    /// One observation per estimate, carrying its point's configuration and replicate. Step-probe
    /// rows keep their step, which keeps them apart from the epoch probes in `summary.csv`, the
    /// report and the claims.
    static func observations(_ aggregate: AggregateRecord) -> [Observation] {
        let points = Dictionary(uniqueKeysWithValues: aggregate.points.map { ($0.index, $0) })
        return aggregate.rows.compactMap { r in
            points[r.point].map {
                Observation(configuration: $0.configuration, replicate: $0.replicate, epoch: r.epoch, layer: r.layer,
                            layerIndex: r.layerIndex, estimator: r.estimator, value: r.value, step: r.step)
            }
        }
    }

    /// The per-epoch metrics by the names claims use.
    static func metrics(_ aggregate: AggregateRecord) -> [MetricObservation] {
        let points = Dictionary(uniqueKeysWithValues: aggregate.points.map { ($0.index, $0) })
        var out: [MetricObservation] = []
        for m in aggregate.metrics {
            guard let p = points[m.point] else { continue }
            for e in m.epochs {
                // Training figures evaluated on the whole split after the epoch; bundles written
                // before those existed fall back to the running means.
                var values: [(String, Double)] = [("test_accuracy", e.testAccuracy), ("test_loss", e.testLoss)]
                if let v = e.trainAccuracyBest { values.append(("train_accuracy", v)) }
                if let v = e.trainLossBest { values.append(("train_loss", v)) }
                if let n = e.gradientNoise { values.append(("noise_scale", n)) }
                if let t = e.noiseTemperature { values.append(("noise_temperature", t)) }
                for (name, value) in values {
                    out.append(MetricObservation(configuration: p.configuration, replicate: p.replicate, epoch: e.epoch,
                                                 metric: name, value: value))
                }
            }
        }
        return out
    }

    /// A claims stage's (or a bundle's) `claims.json`.
    public static func read(from directory: URL) throws -> ClaimsDocument {
        let url = directory.appendingPathComponent(claimsFile)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BundleError.unreadable(url.path, "missing or unreadable")
        }
        do {
            return try JSONDecoder().decode(ClaimsDocument.self, from: data)
        } catch {
            throw BundleError.unreadable(url.path, "not a valid claims.json: \(DecodingProblem.describe(error))")
        }
    }
}

/// `summary.csv`: per configuration × epoch (or step) × layer × estimator, the statistics across
/// replicates.
enum SummaryCSV {
    static let fileName = "summary.csv"

    static func render(_ rows: [GroupSummary], configurations: [ClaimConfiguration], paths: [String]) -> String {
        let byIndex = Dictionary(uniqueKeysWithValues: configurations.map { ($0.index, $0) })
        // A step column only when step probes exist, so other runs' tables are unchanged.
        let steps = rows.contains { $0.step != nil }
        var lines = [(["configuration", "label"] + paths + ["epoch"] + (steps ? ["step"] : []) + ["layer", "layer_index", "estimator", "n_replicates", "mean",
                      "sd_across_replicates", "ci_low_across_replicates", "ci_high_across_replicates", "ci_level"])
            .joined(separator: ",")]
        for r in rows {
            let c = byIndex[r.configuration]
            var fields = [String(r.configuration), ResultsCSV.quote(c?.label ?? "")]
            fields += paths.map { ResultsCSV.quote(c?.assignments[$0] ?? "") }
            let s = r.statistics
            fields += [String(r.epoch)] + (steps ? [r.step.map(String.init) ?? ""] : [])
            fields += [ResultsCSV.quote(r.layer), String(r.layerIndex), r.estimator, String(s.n), String(s.mean),
                       s.sd.map { String($0) } ?? "", s.ciLow.map { String($0) } ?? "", s.ciHigh.map { String($0) } ?? "",
                       String(s.level)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
