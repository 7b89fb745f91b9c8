import Claims
import Dimensionality
import Foundation
import ResultBundles
import Reports
import Tensors
import ExperimentSpec

/// Turns a run's aggregate into the report's plain input, for the report stage and for
/// `accordion report <bundle>` alike.
public enum ReportBuilder {
    /// The report input of an aggregate.
    ///
    /// - Parameter missing: stages that did not complete; the failed ones are shown at the top.
    public static func input(aggregate: AggregateRecord, claims: [ClaimResult] = [], name: String, description: String,
                             resolvedSpec: String?, provenance: [[String]], missing: [MissingInput]) -> ReportInput {
        var noise: [Int: [ReportInput.EpochValue]] = [:]
        var temperature = Set<Int>()
        var metrics: [ReportInput.EpochMetrics] = []
        for m in aggregate.metrics {
            for e in m.epochs {
                metrics.append(ReportInput.EpochMetrics(point: m.point, epoch: e.epoch, trainLoss: e.trainLossBest,
                                                        trainAccuracy: e.trainAccuracyBest, testLoss: e.testLoss,
                                                        testAccuracy: e.testAccuracy))
                // The temperature η·tr Σ_B where recorded; older bundles have the trace alone.
                if let n = e.noiseTemperature ?? e.gradientNoise { noise[m.point, default: []].append(.init(epoch: e.epoch, value: n)) }
                if e.noiseTemperature != nil { temperature.insert(m.point) }
            }
        }
        let labels = configurationLabels(aggregate)
        let points = aggregate.points.map { p in
            ReportInput.Point(index: p.index, label: p.label,
                              assignments: Dictionary(zip(aggregate.sweptPaths, p.values), uniquingKeysWith: { a, _ in a }),
                              testAccuracy: nil, noiseScale: noise[p.index] ?? [],
                              noiseMeasure: noise[p.index] == nil ? nil : temperature.contains(p.index) ? .temperature : .trace,
                              configuration: p.configuration, configurationLabel: labels[p.configuration], imported: p.imported)
        }
        // Step probes keep their step, so the figures by epoch never read them and the figure by
        // step finds its own rows.
        let summaries = GroupSummary.summarize(ClaimInputs.observations(aggregate)).map {
            ReportInput.Summary(configuration: $0.configuration, epoch: $0.epoch, layer: $0.layer, layerIndex: $0.layerIndex,
                                estimator: $0.estimator, n: $0.statistics.n, mean: $0.statistics.mean, sd: $0.statistics.sd,
                                ciLow: $0.statistics.ciLow, ciHigh: $0.statistics.ciHigh, level: $0.statistics.level,
                                step: $0.step)
        }
        let estimates = aggregate.rows.map {
            ReportInput.Estimate(point: $0.point, epoch: $0.epoch, layer: $0.layer, layerIndex: $0.layerIndex,
                                 estimator: $0.estimator, value: $0.value, error: $0.error, step: $0.step,
                                 blocks: $0.blocks.map { $0.map { ReportInput.Block(size: $0.size, mean: $0.mean, std: $0.std) } })
        }
        var entries = provenance.compactMap { $0.count == 2 ? ReportInput.ProvenanceEntry(key: $0[0], value: $0[1]) : nil }
        if !aggregate.datasets.isEmpty {
            entries.append(.init(key: "datasets", value: aggregate.datasets.keys.sorted()
                .map { "\($0): \(aggregate.datasets[$0] ?? "")" }.joined(separator: "; ")))
        }
        var seen = Set<String>()
        let failures = missing.filter { $0.status == .failed && seen.insert($0.key).inserted }.map {
            ReportInput.Failure(stage: $0.name, reason: $0.reason, point: $0.points?.count == 1 ? $0.points?[0] : nil)
        }
        let shown = claims.map {
            ReportInput.Claim(id: $0.id, statement: $0.statement, citation: $0.citation, estimator: $0.estimator,
                              kind: $0.kind.rawValue, effect: $0.effect, ciLow: $0.ciLow, ciHigh: $0.ciHigh, n: $0.n,
                              pHolm: $0.pHolm, verdict: $0.verdict.rawValue, reason: $0.reason)
        }
        return ReportInput(name: name, description: description, points: points, estimates: estimates, metrics: metrics,
                           resolvedSpec: resolvedSpec, provenance: entries, failures: failures, claims: shown,
                           summaries: summaries)
    }

    /// Each configuration's label: its points' swept values that are the same for all of them
    /// (the replicate seeds differ and drop out), written like a run point's label.
    static func configurationLabels(_ aggregate: AggregateRecord) -> [Int: String] {
        var members: [Int: [AggregateRecord.Point]] = [:]
        for p in aggregate.points { members[p.configuration, default: []].append(p) }
        return members.mapValues { group in
            guard group.count > 1 else { return group[0].label }
            let parts = aggregate.sweptPaths.indices.compactMap { i -> String? in
                let values = Set(group.map { $0.values.indices.contains(i) ? $0.values[i] : "" })
                guard values.count == 1, let value = values.first else { return nil }
                let path = aggregate.sweptPaths[i]
                return "\(path.split(separator: ".").last.map(String.init) ?? path)=\(value)"
            }
            return parts.isEmpty ? "base" : parts.joined(separator: ",")
        }
    }

    /// The aggregate of a bundle: its aggregate stage's `aggregate.json`, or for bundles written
    /// before aggregation was a stage, the same data read from `results.csv`, `resolved.json` and
    /// the train stages' `metrics.jsonl`.
    public static func aggregate(of bundle: BundleReader) throws -> AggregateRecord {
        let stages = bundle.manifest.stages
        if let stage = stages.first(where: { $0.kind == .aggregate }) {
            guard stage.status.succeeded else {
                throw BundleError.unreadable(bundle.layout.root.path, "its aggregate stage \(stage.status.rawValue): \(stage.error ?? "no reason recorded")")
            }
            return try AggregateRecord.read(from: bundle.layout.stage(stage.key))
        }
        let resolved = try ResolvedSpec.read(from: bundle.layout.root)
        let all = try ResultsCSV.parse(try bundle.results(), file: bundle.layout.results.path)
        let rows = all.filter { $0.classLabel == nil }
        let classRows = all.filter { $0.classLabel != nil }
        var metrics: [AggregateRecord.PointMetrics] = []
        for stage in stages where stage.kind == .train && stage.status.succeeded {
            let epochs = try MetricsLog.read(from: bundle.layout.stage(stage.key))
            for point in stage.points { metrics.append(.init(point: point, epochs: epochs)) }
        }
        metrics.sort { $0.point < $1.point }
        let datasets = try Provenance.read(from: bundle.layout.root).datasets
        return AggregateRecord(
            sweptPaths: resolved.sweptPaths,
            points: resolved.points.map { p in
                .init(index: p.index, label: p.label, values: resolved.sweptPaths.map { p.assignments[$0] ?? "" },
                      configuration: p.index, replicate: 0)
            },
            rows: rows, metrics: metrics, datasets: datasets, missing: [], classRows: classRows.isEmpty ? nil : classRows)
    }

    /// The verdicts of a bundle's claims stage (none when the spec declared no claims).
    public static func claims(of bundle: BundleReader) throws -> [ClaimResult] {
        guard let stage = bundle.manifest.stages.first(where: { $0.kind == .claims && $0.status.succeeded }) else { return [] }
        return try ClaimInputs.read(from: bundle.layout.stage(stage.key)).claims
    }

    /// The report input of a finished bundle, from its own files.
    public static func input(for bundle: BundleReader) throws -> ReportInput {
        let resolved = try ResolvedSpec.read(from: bundle.layout.root)
        let resolvedText = String(decoding: try Data(contentsOf: bundle.layout.resolved), as: UTF8.self)
        let provenance = try Provenance.read(from: bundle.layout.root).reportEntries
        let missing = bundle.manifest.stages.filter { !$0.status.succeeded }.map {
            MissingInput(key: $0.key, name: $0.name, status: $0.status, reason: $0.error ?? "", points: $0.points)
        }
        return input(aggregate: try aggregate(of: bundle), claims: try claims(of: bundle), name: bundle.manifest.experiment,
                     description: resolved.points.first?.experiment.description ?? "",
                     resolvedSpec: resolvedText, provenance: provenance, missing: missing)
    }

    /// Writes `report.html` and `figures/*.svg` into the bundle and refreshes the checksums in
    /// `bundle.json`.
    @discardableResult
    public static func write(_ bundle: BundleReader) throws -> [URL] {
        let root = bundle.layout.root
        // Replace, never write through, files that may be links into the store.
        for name in ["report.html", "figures"] { try? FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        let files = try ReportWriter.write(try input(for: bundle), to: root)
        var manifest = bundle.manifest
        manifest.files = try Checksums.records(under: root)
        try manifest.write(to: root)
        return files
    }
}
