import Claims
import ExperimentSpec
import Foundation
import NeuralNets
import ResultBundles
import Tensors

/// Options for ``Runner/run(_:options:)``.
public struct RunOptions: Sendable {
    /// Where bundles and the shared stage store go (`Results/` by default).
    public var resultsDirectory: URL
    /// Stages run side by side; 0 means the spec's `execution.jobs`, or one per core.
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
    /// Stage starts and endings for a live display (see ``ExecutionContext/events``; nil: none,
    /// and the executors log text lines instead).
    public var stageEvents: (@Sendable (StageEvent) -> Void)?
    /// Stop cleanly on SIGINT, SIGTERM and SIGHUP: mark the bundle interrupted and exit (the CLI).
    public var handleSignals = false
    /// Shell patterns of stage names to recompute even when the store holds them (`--force`).
    public var force: [String] = []

    public init(resultsDirectory: URL = URL(fileURLWithPath: "Results"), jobs: Int = 0, failFast: Bool = false,
                useCache: Bool = true, slurm: SlurmOptions? = nil,
                executable: String = CommandLine.arguments.first ?? "accordion",
                progress: TrainingProgress? = nil, log: @escaping @Sendable (String) -> Void = { print($0) },
                handleSignals: Bool = false, force: [String] = [],
                stageEvents: (@Sendable (StageEvent) -> Void)? = nil) {
        self.stageEvents = stageEvents
        self.handleSignals = handleSignals
        self.force = force
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

    /// Stages side by side: the option, else the spec's `execution.jobs`, else one per core.
    func jobs(for experiment: Experiment) -> Int {
        jobs > 0 ? jobs : (experiment.execution.jobs > 0 ? experiment.execution.jobs : ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The executor these options ask for. A new executor is one more case here.
    func executor(for experiment: Experiment) -> any Executor {
        if let slurm { return SlurmExecutor(options: slurm, executable: executable) }
        return LocalExecutor(jobs: jobs(for: experiment), failFast: failFast, threads: experiment.execution.threads)
    }
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
    /// Whether the executor returned before the stages ended (a dry run, a submission not waited for).
    public var detached: Bool
    /// The run points with a failed stage of their own, each with its first failed stage.
    public var failedPoints: [(label: String, stage: String)]
    /// The verdicts of the spec's claims (empty when none were declared or the stage failed).
    public var claims: [ClaimResult]
}

extension Provenance {
    /// The provenance of a run of `spec` in this process (dataset fingerprints are added once the
    /// data stages have run).
    static func current(for spec: LoadedSpec) -> Provenance {
        current(threads: spec.points[0].experiment.execution.threads, convKernel: Conv2D.directKernelName,
                datasets: [:], seeds: spec.points.map(\.experiment.train.seed))
    }
}

/// Runs an expanded spec: compiles its stage graph, hands it to an executor, writes the bundle.
public enum Runner {
    public static func run(_ spec: LoadedSpec, options: RunOptions) throws -> RunSummary {
        let started = Date()
        let first = spec.points[0].experiment
        let layout = try BundleLayout.create(in: options.resultsDirectory.appendingPathComponent(first.name), date: started)
        let runID = layout.root.lastPathComponent
        let provenance = Provenance.current(for: spec)
        let graph = try StageGraph.compile(spec, provenance: provenance)
        let writer = BundleWriter(layout: layout, spec: spec, graph: graph, runID: runID, started: started)
        try writer.begin(provenance: provenance)

        let store = StageStore(root: options.useCache ? options.storeRoot
                                   : options.resultsDirectory.appendingPathComponent(".store-\(runID)"))
        store.removeAbandonedScratch()
        let forced = try StoreMaintenance.force(options.force, graph: graph, store: store)
        if !options.force.isEmpty {
            options.log("--force: \(forced.count) stage\(forced.count == 1 ? "" : "s") will be recomputed" + (forced.isEmpty ? " (no stage name matches \(options.force.joined(separator: ", ")))" : ""))
        }
        let interruption = options.handleSignals ? InterruptionHandler { [log = options.log] sig in
            try? writer.markInterrupted(store: store)
            log("interrupted (signal \(sig)): stages finished so far are kept; run the same command again to resume")
        } : nil
        defer { interruption?.cancel() }
        let executor = options.executor(for: first)
        if executor is LocalExecutor {
            let jobs = options.jobs(for: first)
            options.log("\(spec.points.count) run point\(spec.points.count == 1 ? "" : "s"), \(graph.count) stages, \(jobs) job\(jobs == 1 ? "" : "s"); bundle \(layout.root.path)")
        } else {
            options.log("\(spec.points.count) run point\(spec.points.count == 1 ? "" : "s"), \(graph.count) stages; bundle \(layout.root.path)")
        }
        let context = ExecutionContext(runID: runID, resultsDirectory: options.resultsDirectory, log: options.log,
                                       progress: options.progress, events: options.stageEvents)
        guard let report = try executor.execute(graph, store: store, context: context) else {
            return RunSummary(bundle: layout.root, rows: [], metrics: [:], failures: [], points: spec.points,
                              outcomes: [:], executed: 0, stageCount: graph.count, detached: true, failedPoints: [], claims: [])
        }
        let aggregate = try writer.finish(report, store: store, provenance: provenance)
        if !options.useCache { try? FileManager.default.removeItem(at: store.root) }

        let failures = graph.stages.compactMap { s -> StageFailure? in
            if case .failed(let why) = report.outcomes[s.key] { return StageFailure(stage: s.name, reason: why) }
            return nil
        }
        var firstFailure: [Int: String] = [:]
        for s in graph.stages where !s.kind.toleratesMissingInputs && report.outcomes[s.key]?.status == .failed {
            for p in s.points where firstFailure[p] == nil { firstFailure[p] = s.name }
        }
        let failedPoints = spec.points.compactMap { p in firstFailure[p.index].map { (label: p.label, stage: $0) } }
        var metrics: [Int: [EpochMetrics]] = [:]
        for m in aggregate?.metrics ?? [] { metrics[m.point] = m.epochs }
        return RunSummary(bundle: layout.root, rows: aggregate?.rows ?? [], metrics: metrics, failures: failures,
                          points: spec.points, outcomes: report.outcomes, executed: report.executed,
                          stageCount: graph.count, detached: false, failedPoints: failedPoints,
                          claims: try ReportBuilder.claims(of: try BundleReader(layout.root)))
    }
}
