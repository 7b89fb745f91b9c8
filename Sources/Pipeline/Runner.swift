import Datasets
import ExperimentSpec
import Foundation
import NeuralNets
import ResultBundles
import Tensors

/// Options for ``Runner/run(_:options:)``.
public struct RunOptions: Sendable {
    /// Where bundles and the shared stage store go (`Results/` by default).
    public var resultsDirectory: URL
    /// Stages run side by side; 0 means one per core.
    public var jobs: Int
    /// Stop scheduling new stages after the first failure.
    public var failFast: Bool
    /// Reuse completed stages from the store (`false` for `rerun`: everything from scratch).
    public var useCache: Bool
    /// Run on Slurm instead of in this process (nil: the local pool).
    public var slurm: SlurmOptions?
    /// Path of the `accordion` executable that Slurm tasks run (must be on a shared filesystem).
    public var executable: String
    /// Progress lines go here.
    public var log: @Sendable (String) -> Void
    /// In-epoch training progress (default: every 10 s through `log`).
    public var progress: TrainingProgress?

    public init(resultsDirectory: URL = URL(fileURLWithPath: "Results"), jobs: Int = 0, failFast: Bool = false,
                useCache: Bool = true, slurm: SlurmOptions? = nil,
                executable: String = CommandLine.arguments.first ?? "accordion",
                progress: TrainingProgress? = nil, log: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.resultsDirectory = resultsDirectory
        self.jobs = jobs
        self.failFast = failFast
        self.useCache = useCache
        self.slurm = slurm
        self.executable = executable
        self.progress = progress
        self.log = log
    }

    var storeRoot: URL { resultsDirectory.appendingPathComponent(".store") }
}

/// What a run produced.
public struct RunSummary: Sendable {
    public var bundle: URL
    public var rows: [ResultRow]
    public var metrics: [Int: [EpochMetrics]]
    public var failures: [StageFailure]
    public var points: [RunPoint]
    public var outcomes: [String: StageOutcome]
    /// Stages computed in this run (not taken from the store).
    public var executed: Int
    public var stageCount: Int
}

/// Runs an expanded spec through its stage graph and writes its bundle.
public enum Runner {
    public static func run(_ spec: LoadedSpec, options: RunOptions) throws -> RunSummary {
        let started = Date()
        let first = spec.points[0].experiment
        let runID = BundleLayout.newRunID(date: started)
        let layout = BundleLayout(root: options.resultsDirectory.appendingPathComponent(first.name).appendingPathComponent(runID))
        let threads = first.execution.threads
        BLAS.setThreads(threads)
        let graph = try StageGraph.compile(spec)

        // Before any stage: the spec as written, the overrides, the resolved points, provenance.
        try AtomicWrite.write(Data(spec.text.utf8), to: layout.spec)
        try AtomicWrite.write(spec.overrides.map { $0 + "\n" }.joined(), to: layout.overrides)
        try AtomicWrite.write(try StableJSON.encode(ResolvedSpec(spec)), to: layout.resolved)
        try writeProvenance(layout, graph: graph, spec: spec, threads: threads, fingerprints: [:])
        try writeManifest(layout, runID: runID, spec: spec, graph: graph, status: "running", started: started,
                          finished: nil, outcomes: [:], checksums: false)

        let store: StageStore
        if options.useCache {
            store = StageStore(root: options.storeRoot)
        } else {
            store = StageStore(root: options.resultsDirectory.appendingPathComponent(".store-\(runID)"))
        }
        let jobs = options.jobs > 0 ? options.jobs : (first.execution.jobs > 0 ? first.execution.jobs : ProcessInfo.processInfo.activeProcessorCount)
        options.log("\(spec.points.count) run point\(spec.points.count == 1 ? "" : "s"), \(graph.count) stages, \(jobs) job\(jobs == 1 ? "" : "s"); bundle \(layout.root.path)")
        let outcomes: [String: StageOutcome]
        var executed = 0
        if let slurm = options.slurm {
            guard let o = try runOnSlurm(graph: graph, store: store, layout: layout, runID: runID, options: options, slurm: slurm) else {
                return RunSummary(bundle: layout.root, rows: [], metrics: [:], failures: [], points: spec.points,
                                  outcomes: [:], executed: 0, stageCount: graph.count)
            }
            outcomes = o
            executed = o.values.filter { if case .done = $0 { return true } else { return false } }.count
        } else {
            let scheduler = Scheduler(graph: graph, store: store, executor: StageExecutor(store: store, log: options.log, progress: options.progress),
                                      jobs: jobs, failFast: options.failFast, log: options.log)
            outcomes = try scheduler.run()
            executed = scheduler.executed
        }

        // Bundle: every stage's outputs (hard links into the store) and its record.
        var fingerprints: [String: String] = [:]
        for stage in graph.stages {
            let target = layout.stage(stage.key)
            if outcomes[stage.key]?.succeeded == true {
                try linkTree(from: store.directory(stage.key), to: target)
                if stage.kind == .data,
                   let d = try? JSONDecoder().decode(DataOutput.self, from: Data(contentsOf: target.appendingPathComponent("data.json"))) {
                    fingerprints[stage.name] = d.fingerprint
                }
            } else {
                let outcome = outcomes[stage.key] ?? .skipped("not reached")
                let result = StageResult(definition: try StageDefinition(stage), status: outcome.status, seconds: 0,
                                         error: reason(outcome), finished: ISO8601DateFormatter().string(from: Date()))
                try AtomicWrite.write(try StableJSON.encode(result), to: target.appendingPathComponent("stage.json"))
            }
        }
        if !options.useCache { try? FileManager.default.removeItem(at: store.root) }
        try writeProvenance(layout, graph: graph, spec: spec, threads: threads, fingerprints: fingerprints)

        let (rows, metrics) = try aggregate(graph: graph, spec: spec, layout: layout, outcomes: outcomes)
        let assignments = Dictionary(uniqueKeysWithValues: spec.points.map { ($0.index, $0.assignments.map(\.value)) })
        try AtomicWrite.write(ResultsCSV.render(rows, sweptPaths: spec.sweptPaths, assignments: assignments), to: layout.results)

        let failures = graph.stages.compactMap { s -> StageFailure? in
            if case .failed(let why) = outcomes[s.key] { return StageFailure(stage: s.name, reason: why) }
            return nil
        }
        let anyMissing = graph.stages.contains { outcomes[$0.key]?.succeeded != true }
        let status = !anyMissing ? "complete" : (rows.isEmpty ? "failed" : "partial")
        // The report reads the finished manifest's stages; the checksums, taken last, cover the report.
        let finished = Date()
        try writeManifest(layout, runID: runID, spec: spec, graph: graph, status: status, started: started,
                          finished: finished, outcomes: outcomes, checksums: false)
        do {
            let files = try BundleReport.writeFiles(try BundleReader(layout.root))
            options.log("report: \(files.last?.path ?? layout.root.path) (\(files.count - 1) figures)")
        } catch {
            options.log("warning: the report could not be written: \(error); `accordion report \(layout.root.path)` retries")
        }
        try writeManifest(layout, runID: runID, spec: spec, graph: graph, status: status, started: started,
                          finished: finished, outcomes: outcomes, checksums: true)
        return RunSummary(bundle: layout.root, rows: rows, metrics: metrics, failures: failures, points: spec.points,
                          outcomes: outcomes, executed: executed, stageCount: graph.count)
    }

    /// Submits the graph to Slurm and, unless asked not to, waits and reads each stage's outcome
    /// from the store. Returns nil when nothing is left to wait for (dry run, or `--no-wait`).
    static func runOnSlurm(graph: StageGraph, store: StageStore, layout: BundleLayout, runID: String,
                           options: RunOptions, slurm: SlurmOptions) throws -> [String: StageOutcome]? {
        for stage in graph.stages { try store.saveDefinition(stage) }
        let cachedBefore = Set(graph.stages.map(\.key).filter(store.isDone))
        for stage in graph.stages where !cachedBefore.contains(stage.key) { store.clearFailure(stage.key) }
        let executable = URL(fileURLWithPath: options.executable).standardizedFileURL.path
        let plan = SlurmPlan.make(graph: graph, store: store, results: options.resultsDirectory.standardizedFileURL,
                                  runID: runID, executable: executable, options: slurm)
        try plan.write()
        if slurm.dryRun {
            for job in plan.jobs {
                let deps = job.dependencies.map { "\(plan.jobs[$0.job].name)[\($0.task)]" }
                options.log("# \(job.scriptURL.path)" + (deps.isEmpty ? "" : "  (after: \(deps.joined(separator: ", ")))") + "\n\(job.script)")
            }
            options.log("dry run: \(plan.jobs.count) job array\(plan.jobs.count == 1 ? "" : "s") written to \(plan.directory.path), nothing submitted")
            return nil
        }
        var ids: [String] = []
        if !plan.jobs.isEmpty {
            ids = try plan.submit()
            for (job, id) in zip(plan.jobs, ids) { options.log("submitted \(job.name) as job \(id) (\(job.keys.count) task\(job.keys.count == 1 ? "" : "s"))") }
        }
        try AtomicWrite.write(try StableJSON.encode(["job_ids": ids]), to: layout.root.appendingPathComponent("slurm.json"))
        if slurm.noWait {
            options.log("not waiting: `accordion status \(layout.root.path)` shows progress; `accordion run` on the same spec writes the bundle when the jobs are done")
            return nil
        }
        var reported = -1
        while true {
            let queued = Slurm.queueStates(ids)
            let done = graph.stages.filter { store.isDone($0.key) }.count
            if done != reported {
                options.log("[\(done) of \(graph.count) stages done (\(cachedBefore.count) cached); \(queued.count) Slurm task\(queued.count == 1 ? "" : "s") queued or running]")
                reported = done
            }
            if queued.isEmpty { break }
            Thread.sleep(forTimeInterval: slurm.pollInterval)
        }
        var outcomes: [String: StageOutcome] = [:]
        for stage in graph.stages {
            if cachedBefore.contains(stage.key) {
                outcomes[stage.key] = .cached
            } else if store.isDone(stage.key) {
                outcomes[stage.key] = .done(seconds: store.result(stage.key)?.seconds ?? 0)
            } else if let f = store.failure(stage.key) {
                outcomes[stage.key] = .failed(f.reason + (f.log.map { " (log: \($0))" } ?? ""))
            } else {
                outcomes[stage.key] = .skipped("not run: a job it depends on failed and Slurm cancelled it")
            }
        }
        return outcomes
    }

    static func reason(_ outcome: StageOutcome) -> String? {
        switch outcome {
        case .failed(let why), .skipped(let why): return why
        default: return nil
        }
    }

    /// Reads every estimate and metric of the run into tidy rows.
    static func aggregate(graph: StageGraph, spec: LoadedSpec, layout: BundleLayout,
                          outcomes: [String: StageOutcome]) throws -> ([ResultRow], [Int: [EpochMetrics]]) {
        var rows: [ResultRow] = []
        var metrics: [Int: [EpochMetrics]] = [:]
        for point in spec.points {
            guard let ps = graph.pointStages[point.index] else { continue }
            if outcomes[ps.train]?.succeeded == true,
               let text = try? String(contentsOf: layout.stage(ps.train).appendingPathComponent("metrics.jsonl"), encoding: .utf8) {
                metrics[point.index] = try text.split(separator: "\n").map {
                    try JSONDecoder().decode(EpochMetrics.self, from: Data($0.utf8))
                }
            }
            for (slot, key) in ps.estimates where outcomes[key]?.succeeded == true {
                let out = try JSONDecoder().decode(EstimateOutput.self, from: Data(contentsOf: layout.stage(key).appendingPathComponent("estimate.json")))
                rows.append(ResultRow(point: point.index, label: point.label, epoch: slot.epoch, layer: slot.layer,
                                      layerIndex: slot.layerIndex, estimator: slot.estimator, flavour: out.estimate.flavour,
                                      value: out.estimate.value, error: out.estimate.errorBar, n: out.estimate.used,
                                      dimension: out.dimension, seconds: out.estimate.seconds))
            }
        }
        rows.sort { ($0.point, $0.epoch, $0.layerIndex, $0.estimator) < ($1.point, $1.epoch, $1.layerIndex, $1.estimator) }
        return (rows, metrics)
    }

    static func writeProvenance(_ layout: BundleLayout, graph: StageGraph, spec: LoadedSpec, threads: Int,
                                fingerprints: [String: String]) throws {
        let provenance = Provenance.current(threads: threads, datasets: fingerprints,
                                            seeds: spec.points.map(\.experiment.train.seed))
        try AtomicWrite.write(try StableJSON.encode(provenance), to: layout.provenance)
    }

    static func writeManifest(_ layout: BundleLayout, runID: String, spec: LoadedSpec, graph: StageGraph, status: String,
                              started: Date, finished: Date?, outcomes: [String: StageOutcome], checksums: Bool) throws {
        let stages = graph.stages.map { s -> StageRecord in
            let outcome = outcomes[s.key]
            var seconds = 0.0
            if case .done(let t) = outcome { seconds = t }
            return StageRecord(key: s.key, name: s.name, kind: s.kind.rawValue, points: s.points.sorted(),
                               status: outcome?.status ?? "pending", seconds: seconds, error: outcome.flatMap(reason))
        }
        let manifest = BundleManifest(
            formatVersion: BundleLayout.formatVersion, runID: runID, experiment: spec.points[0].experiment.name,
            status: status, started: iso8601(started), finished: finished.map(iso8601),
            seconds: finished.map { $0.timeIntervalSince(started) }, points: spec.points.count, stages: stages,
            files: checksums ? try Checksums.records(under: layout.root) : [])
        try AtomicWrite.write(try StableJSON.encode(manifest), to: layout.bundleJSON)
    }

    /// Hard-links every file under `source` into `target` (copying when linking is impossible).
    static func linkTree(from source: URL, to target: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let s = source.appendingPathComponent(name), t = target.appendingPathComponent(name)
            var isDir: ObjCBool = false
            fm.fileExists(atPath: s.path, isDirectory: &isDir)
            if isDir.boolValue {
                try linkTree(from: s, to: t)
            } else if !fm.fileExists(atPath: t.path) {
                do { try fm.linkItem(at: s, to: t) } catch { try fm.copyItem(at: s, to: t) }
            }
        }
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}

/// `resolved.json`: every run point, fully resolved, with its swept values.
public struct ResolvedSpec: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var index: Int
        public var label: String
        public var assignments: [String: String]
        public var experiment: Experiment
    }
    public var formatVersion: Int
    public var file: String
    public var overrides: [String]
    public var sweptPaths: [String]
    public var points: [Point]

    enum CodingKeys: String, CodingKey {
        case file, overrides, points
        case formatVersion = "format_version", sweptPaths = "swept_paths"
    }

    public init(_ spec: LoadedSpec) {
        formatVersion = BundleLayout.formatVersion
        file = spec.file
        overrides = spec.overrides
        sweptPaths = spec.sweptPaths
        points = spec.points.map {
            Point(index: $0.index, label: $0.label,
                  assignments: Dictionary(uniqueKeysWithValues: $0.assignments.map { ($0.path, $0.value) }),
                  experiment: $0.experiment)
        }
    }
}
