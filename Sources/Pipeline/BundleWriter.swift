import ExperimentSpec
import Foundation
import ResultBundles
import Tensors

/// Writes one run's bundle: what is known before the first stage, then every stage's outputs,
/// the tables and the report, and last the manifest with the checksum of every file.
struct BundleWriter {
    let layout: BundleLayout
    let spec: LoadedSpec
    let graph: StageGraph
    let runID: String
    let started: Date

    /// The spec as written, the overrides, the resolved points, provenance and a `running` manifest.
    func begin(provenance: Provenance) throws {
        try AtomicWrite.write(Data(spec.text.utf8), to: layout.spec)
        try AtomicWrite.write(spec.overrides.map { $0 + "\n" }.joined(), to: layout.overrides)
        try ResolvedSpec(spec).write(to: layout.root)
        try provenance.write(to: layout.root)
        try manifest(status: .running, finished: nil, report: nil, checksums: false).write(to: layout.root)
    }

    /// Links every completed stage's outputs into the bundle, records the others, puts the tables
    /// and the report at the top level and writes the final manifest. Returns the aggregate, if
    /// one was produced.
    func finish(_ report: ExecutionReport, store: StageStore, provenance: Provenance) throws -> AggregateRecord? {
        var datasets: [String: String] = [:]
        for stage in graph.stages {
            let key = report.key(stage.key)
            let target = layout.stage(key)
            let outcome = report.outcomes[stage.key] ?? .skipped("not reached")
            if outcome.succeeded {
                try BundleLinks.linkTree(from: store.directory(key), to: target)
                if stage.kind == .data { datasets[stage.name] = try DataRecord.read(from: target).fingerprint }
            } else {
                let result = StageResult(definition: try StageDefinition(stage), status: outcome.status, seconds: 0,
                                         error: outcome.reason, finished: ISO8601DateFormatter().string(from: Date()))
                try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
                try result.write(to: target)
            }
        }
        var provenance = provenance
        provenance.datasets = datasets
        try provenance.write(to: layout.root)

        var aggregate: AggregateRecord?
        if let summaries = graph.summaries {
            if report.outcomes[summaries.aggregate]?.succeeded == true {
                let dir = layout.stage(report.key(summaries.aggregate))
                aggregate = try AggregateRecord.read(from: dir)
                for file in [BundleLayout.resultsFile, BundleLayout.metricsFile, SummaryCSV.fileName] {
                    try BundleLinks.link(dir.appendingPathComponent(file), to: layout.root.appendingPathComponent(file))
                }
                // Only when an estimator ran its block analysis.
                let blocks = dir.appendingPathComponent("blocks.csv")
                if FileManager.default.fileExists(atPath: blocks.path) {
                    try BundleLinks.link(blocks, to: layout.root.appendingPathComponent("blocks.csv"))
                }
            }
            if let claims = summaries.claims, report.outcomes[claims]?.succeeded == true {
                let dir = layout.stage(report.key(claims))
                for file in [ClaimInputs.claimsFile, ClaimInputs.markdownFile] {
                    try BundleLinks.link(dir.appendingPathComponent(file), to: layout.root.appendingPathComponent(file))
                }
            }
            if report.outcomes[summaries.report]?.succeeded == true {
                let dir = layout.stage(report.key(summaries.report))
                try BundleLinks.link(dir.appendingPathComponent("report.html"), to: layout.root.appendingPathComponent("report.html"))
                try BundleLinks.linkTree(from: dir.appendingPathComponent("figures"), to: layout.root.appendingPathComponent("figures"))
            }
        }
        let allSucceeded = graph.stages.allSatisfy { report.outcomes[$0.key]?.succeeded == true }
        let status: BundleStatus = allSucceeded ? .complete : ((aggregate?.rows.isEmpty ?? true) ? .failed : .partial)
        try manifest(status: status, finished: Date(), report: report, checksums: true).write(to: layout.root)
        return aggregate
    }

    func manifest(status: BundleStatus, finished: Date?, report: ExecutionReport?, checksums: Bool) throws -> BundleManifest {
        let stages = graph.stages.map { s -> StageRecord in
            let outcome = report?.outcomes[s.key]
            var seconds = 0.0
            if case .done(let t) = outcome { seconds = t }
            return StageRecord(key: report?.key(s.key) ?? s.key, name: s.name, kind: s.kind, points: s.points.sorted(),
                               status: outcome?.status ?? .pending, seconds: seconds, error: outcome?.reason)
        }
        return BundleManifest(
            formatVersion: BundleLayout.formatVersion, runID: runID, experiment: spec.points[0].experiment.name,
            status: status, started: Self.iso8601(started), finished: finished.map(Self.iso8601),
            seconds: finished.map { $0.timeIntervalSince(started) }, points: spec.points.count, stages: stages,
            files: checksums ? try Checksums.records(under: layout.root) : [])
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}

/// Bundle files are hard links to the store's files, which are made read-only when published:
/// bundles share the bytes of identical stages, and an edit through one bundle is refused (or,
/// by root, caught by the store's checksums on the next use and by `verify`).
enum BundleLinks {
    /// Hard-links every file under `source` into `target` (copying when linking is impossible).
    static func linkTree(from source: URL, to target: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let s = source.appendingPathComponent(name), t = target.appendingPathComponent(name)
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: s.path, isDirectory: &isDir)
            if isDir.boolValue {
                try linkTree(from: s, to: t)
            } else {
                try link(s, to: t)
            }
        }
    }

    static func link(_ source: URL, to target: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path) { return }
        do { try fm.linkItem(at: source, to: target) } catch { try fm.copyItem(at: source, to: target) }
    }
}
