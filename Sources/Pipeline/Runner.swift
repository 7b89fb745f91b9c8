import Datasets
import ExperimentSpec
import Foundation
import NeuralNets
import ResultBundles
import Tensors

/// Options for ``Runner/run(_:options:)``.
public struct RunOptions: Sendable {
    /// Where bundles go (`Results/` by default).
    public var resultsDirectory: URL
    /// Run points trained side by side; 0 means one per core.
    public var jobs: Int
    /// Stop at the first failed run point.
    public var failFast: Bool
    /// Progress lines go here.
    public var log: @Sendable (String) -> Void

    public init(resultsDirectory: URL = URL(fileURLWithPath: "Results"), jobs: Int = 0, failFast: Bool = false,
                log: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.resultsDirectory = resultsDirectory
        self.jobs = jobs
        self.failFast = failFast
        self.log = log
    }
}

/// What a run produced.
public struct RunSummary: Sendable {
    public var bundle: URL
    public var rows: [ResultRow]
    public var metrics: [Int: [EpochMetrics]]
    public var failures: [StageFailure]
    public var points: [RunPoint]
}

/// Runs an expanded spec and writes its bundle.
public enum Runner {
    public static func run(_ spec: LoadedSpec, options: RunOptions) throws -> RunSummary {
        let started = Date()
        let first = spec.points[0].experiment
        let runID = BundleLayout.newRunID(date: started)
        let layout = BundleLayout(root: options.resultsDirectory.appendingPathComponent(first.name).appendingPathComponent(runID))
        let threads = first.execution.threads
        BLAS.setThreads(threads)

        // Before any stage: the spec as written, the overrides, the resolved points.
        try AtomicWrite.write(Data(spec.text.utf8), to: layout.spec)
        try AtomicWrite.write(spec.overrides.map { $0 + "\n" }.joined(), to: layout.overrides)
        try AtomicWrite.write(try StableJSON.encode(ResolvedSpec(spec)), to: layout.resolved)

        var stages: [StageRecord] = []
        var failures: [StageFailure] = []
        var prepared: [DataSpec: PreparedData] = [:]
        var fingerprints: [String: String] = [:]
        let dataStart = Date()
        var dataFailure: StageFailure?
        for point in spec.points where prepared[point.experiment.data] == nil && dataFailure == nil {
            do {
                let p = try DataStage.prepare(point.experiment.data)
                prepared[point.experiment.data] = p
                fingerprints["fashion-mnist#\(prepared.count)"] = p.fingerprint
                options.log("data: \(p.train.count) train / \(p.test.count) test examples from \(p.source) (fingerprint \(p.fingerprint.prefix(12)))")
            } catch {
                dataFailure = StageFailure(stage: "data", reason: "\(error)")
            }
        }
        stages.append(StageRecord(name: "data", kind: "data", point: nil, status: dataFailure == nil ? "done" : "failed",
                                  seconds: Date().timeIntervalSince(dataStart), error: dataFailure?.reason))
        let provenance = Provenance.current(threads: threads, datasets: fingerprints,
                                            seeds: spec.points.map(\.experiment.train.seed))
        try AtomicWrite.write(try StableJSON.encode(provenance), to: layout.provenance)

        var rows: [ResultRow] = []
        var metrics: [Int: [EpochMetrics]] = [:]
        if let dataFailure {
            failures.append(dataFailure)
        } else {
            let outcomes = runPoints(spec.points, prepared: prepared, layout: layout, options: options)
            for (point, outcome) in zip(spec.points, outcomes) {
                switch outcome.result {
                case .success(let r):
                    rows += r.rows
                    metrics[point.index] = r.metrics
                    stages.append(StageRecord(name: "train[\(point.label)]", kind: "train", point: point.index,
                                              status: "done", seconds: outcome.seconds, error: nil))
                case .failure(let f):
                    failures.append(f)
                    stages.append(StageRecord(name: f.stage, kind: "train", point: point.index,
                                              status: "failed", seconds: outcome.seconds, error: f.reason))
                }
            }
        }
        rows.sort { ($0.point, $0.epoch, $0.layerIndex, $0.estimator) < ($1.point, $1.epoch, $1.layerIndex, $1.estimator) }
        let assignments = Dictionary(uniqueKeysWithValues: spec.points.map { ($0.index, $0.assignments.map(\.value)) })
        try AtomicWrite.write(ResultsCSV.render(rows, sweptPaths: spec.sweptPaths, assignments: assignments), to: layout.results)
        for stage in stages {
            try AtomicWrite.write(try StableJSON.encode(stage), to: layout.stage(stage.name).appendingPathComponent("stage.json"))
        }

        let finished = Date()
        let manifest = BundleManifest(
            formatVersion: BundleLayout.formatVersion, runID: runID, experiment: first.name,
            status: failures.isEmpty ? "complete" : (rows.isEmpty ? "failed" : "partial"),
            started: iso8601(started), finished: iso8601(finished), seconds: finished.timeIntervalSince(started),
            points: spec.points.count, stages: stages, files: try Checksums.records(under: layout.root))
        try AtomicWrite.write(try StableJSON.encode(manifest), to: layout.bundleJSON)
        return RunSummary(bundle: layout.root, rows: rows, metrics: metrics, failures: failures, points: spec.points)
    }

    struct Outcome: Sendable {
        var result: Result<(rows: [ResultRow], metrics: [EpochMetrics]), StageFailure>
        var seconds: Double
    }

    /// Trains the points side by side, one per worker, OpenBLAS single-threaded inside each.
    static func runPoints(_ points: [RunPoint], prepared: [DataSpec: PreparedData], layout: BundleLayout,
                          options: RunOptions) -> [Outcome] {
        let workers = max(1, min(points.count, options.jobs > 0 ? options.jobs : ProcessInfo.processInfo.activeProcessorCount))
        let box = OutcomeBox(count: points.count)
        let queue = DispatchQueue(label: "accordion.points", attributes: .concurrent)
        let group = DispatchGroup()
        for w in 0..<workers {
            queue.async(group: group) {
                while let i = box.claim() {
                    let point = points[i]
                    if options.failFast && box.anyFailed {
                        box.set(i, Outcome(result: .failure(StageFailure(stage: "train[\(point.label)]", reason: "not run: an earlier point failed (--fail-fast)")), seconds: 0))
                        continue
                    }
                    let data = prepared[point.experiment.data]!
                    var probeRNG = RandomStream(seed: point.experiment.probe.seed, path: "probe/select")
                    let pool = point.experiment.probe.split == .test ? data.test : data.train
                    let indices = probeRNG.permutation(pool.count).prefix(point.experiment.probe.size).sorted()
                    let job = PointJob(point: point, data: data, probeInputs: pool.inputs.gatherRows(indices),
                                       layout: layout, log: options.log)
                    let start = Date()
                    options.log("train[\(point.label)] started (worker \(w + 1))")
                    do {
                        let r = try job.run()
                        box.set(i, Outcome(result: .success(r), seconds: Date().timeIntervalSince(start)))
                    } catch let f as StageFailure {
                        options.log("error: stage \(f.stage) \(f.reason)")
                        box.set(i, Outcome(result: .failure(f), seconds: Date().timeIntervalSince(start)))
                    } catch {
                        let f = StageFailure(stage: job.stageName, reason: "\(error)")
                        options.log("error: stage \(f.stage) \(f.reason)")
                        box.set(i, Outcome(result: .failure(f), seconds: Date().timeIntervalSince(start)))
                    }
                }
            }
        }
        group.wait()
        return box.outcomes.map { $0! }
    }

    static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}

/// Thread-safe hand-out of point indices and collection of outcomes.
final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private(set) var outcomes: [Runner.Outcome?]
    private(set) var anyFailed = false

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < outcomes.count else { return nil }
        next += 1
        return next - 1
    }

    func set(_ i: Int, _ o: Runner.Outcome) {
        lock.lock(); defer { lock.unlock() }
        outcomes[i] = o
        if case .failure = o.result { anyFailed = true }
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
