import Foundation
import ResultBundles
import Reports
import Tensors

/// Builds a bundle's report from the bundle's own files, so `accordion report` can regenerate
/// it at any time without the store or the spec.
public enum BundleReport {
    /// The report input read from `results.csv`, `resolved.json`, `provenance.json`,
    /// `bundle.json` and the train stages' `metrics.jsonl`.
    public static func input(for bundle: BundleReader) throws -> ReportInput {
        let layout = bundle.layout
        let resolvedData = try Data(contentsOf: layout.resolved)
        let resolved = try JSONDecoder().decode(ResolvedSpec.self, from: resolvedData)
        let table = try bundle.results()
        var estimates: [ReportInput.Estimate] = []
        if let p = table.column("point"), let e = table.column("epoch"), let l = table.column("layer"),
           let li = table.column("layer_index"), let est = table.column("estimator"), let v = table.column("value") {
            let err = table.column("error")
            for r in table.rows where r.count == table.header.count {
                estimates.append(ReportInput.Estimate(
                    point: Int(r[p]) ?? 0, epoch: Int(r[e]) ?? 0, layer: r[l], layerIndex: Int(r[li]) ?? 0,
                    estimator: r[est], value: Double(r[v]), error: err.flatMap { Double(r[$0]) }))
            }
        }
        var metrics: [ReportInput.EpochMetrics] = []
        var noise: [Int: [ReportInput.EpochValue]] = [:]
        for stage in bundle.manifest.stages where stage.kind == "train" && (stage.status == "done" || stage.status == "cached") {
            let url = layout.stage(stage.key).appendingPathComponent("metrics.jsonl")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let epoch = o["epoch"] as? Int else { continue }
                for point in stage.points {
                    metrics.append(ReportInput.EpochMetrics(
                        point: point, epoch: epoch, trainLoss: o["train_loss"] as? Double,
                        trainAccuracy: o["train_accuracy"] as? Double, testLoss: o["test_loss"] as? Double,
                        testAccuracy: o["test_accuracy"] as? Double))
                    if let n = o["gradient_noise"] as? Double { noise[point, default: []].append(.init(epoch: epoch, value: n)) }
                }
            }
        }
        let points = resolved.points.map {
            ReportInput.Point(index: $0.index, label: $0.label, assignments: $0.assignments,
                              testAccuracy: nil, noiseScale: noise[$0.index] ?? [])
        }
        var provenance: [ReportInput.ProvenanceEntry] = [
            .init(key: "run id", value: bundle.manifest.runID),
            .init(key: "status", value: bundle.manifest.status),
        ]
        if let data = try? Data(contentsOf: layout.provenance),
           let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            for key in o.keys.sorted() where key != "command" {
                let value = o[key]!
                let text: String
                if let d = value as? [String: Any] {
                    text = d.keys.sorted().map { "\($0): \(d[$0]!)" }.joined(separator: "; ")
                } else if let a = value as? [Any] {
                    text = a.map { "\($0)" }.joined(separator: ", ")
                } else {
                    text = "\(value)"
                }
                provenance.append(.init(key: key.replacingOccurrences(of: "_", with: " "), value: text))
            }
        }
        let failures = bundle.manifest.stages.filter { $0.status == "failed" }.map {
            ReportInput.Failure(stage: $0.name, reason: $0.error ?? "", point: $0.points.count == 1 ? $0.points[0] : nil)
        }
        return ReportInput(name: bundle.manifest.experiment,
                           description: resolved.points.first?.experiment.description ?? "",
                           points: points, estimates: estimates, metrics: metrics,
                           resolvedSpec: String(decoding: resolvedData, as: UTF8.self),
                           provenance: provenance, failures: failures)
    }

    /// Writes `report.html` and `figures/*.svg` into the bundle, leaving `bundle.json` as it is.
    @discardableResult
    static func writeFiles(_ bundle: BundleReader) throws -> [URL] {
        try ReportWriter.write(try input(for: bundle), to: bundle.layout.root)
    }

    /// Writes `report.html` and `figures/*.svg` into the bundle and refreshes the checksums in
    /// `bundle.json`.
    @discardableResult
    public static func write(_ bundle: BundleReader) throws -> [URL] {
        let files = try writeFiles(bundle)
        var manifest = bundle.manifest
        manifest.files = try Checksums.records(under: bundle.layout.root)
        try AtomicWrite.write(try StableJSON.encode(manifest), to: bundle.layout.bundleJSON)
        return files
    }
}
