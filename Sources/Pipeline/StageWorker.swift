import Datasets
import Foundation
import ResultBundles
import Tensors

/// A stage that could not complete, with the reason a user can act on.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var reason: String
    public var description: String { "stage \(stage) failed: \(reason)" }

    public init(stage: String, reason: String) {
        self.stage = stage
        self.reason = reason
    }
}

/// How a stage ended in one run.
public enum StageOutcome: Sendable, Equatable {
    /// Computed in this run.
    case done(seconds: Double)
    /// Found complete (and checked) in the store; not recomputed.
    case cached
    case failed(String)
    /// Not run because an input failed (or `--fail-fast` stopped the run).
    case skipped(String)

    public var status: StageStatus {
        switch self {
        case .done: return .done
        case .cached: return .cached
        case .failed: return .failed
        case .skipped: return .skipped
        }
    }

    public var succeeded: Bool { status.succeeded }

    /// Why the stage did not succeed.
    public var reason: String? {
        switch self {
        case .failed(let why), .skipped(let why): return why
        case .done, .cached: return nil
        }
    }
}

/// Computes stages into the store: one stage at a time per call, any number of calls side by side.
///
/// The work of each kind is in `StageWorker+<Kind>.swift`; this file holds what every kind
/// shares: the per-key lock, the checked cache hit, the scratch directory and its publication.
final class StageWorker: @unchecked Sendable {
    let store: StageStore
    let log: @Sendable (String) -> Void
    /// Transient in-epoch progress (a terminal may overwrite it in place), and how often to send it.
    let progress: TrainingProgress
    /// Whether a stage's start is logged as text; not when the executor reports it as a ``StageEvent``.
    let announceStarts: Bool
    /// The run's `execution.threads`: what an estimate stage splits its work across (train and
    /// probe stages take theirs from their keys).
    let threads: Int
    let lock = NSLock()
    var dataCache: [String: PreparedData] = [:]

    init(store: StageStore, log: @escaping @Sendable (String) -> Void, progress: TrainingProgress? = nil,
         announceStarts: Bool = true, threads: Int = 1) {
        self.store = store
        self.log = log
        self.announceStarts = announceStarts
        self.threads = max(1, threads)
        self.progress = progress ?? TrainingProgress(interval: 10, report: log)
    }

    /// Computes `stage` under its lock unless the store holds a checked copy.
    /// - Parameter willExecute: called when the stage is actually computed (not cached).
    func compute(_ stage: Stage, willExecute: () -> Void = {}) -> StageOutcome {
        do {
            // Published entries never change, so a checked one is used without the lock: a
            // read-only store still serves cache hits.
            if store.check(stage.key) == .valid { return .cached }
            let held = try store.lock(stage.key) { log("\(stage.name): waiting for another process that is computing it") }
            defer { withExtendedLifetime(held) {} }
            switch store.check(stage.key) {
            case .valid: return .cached
            case .absent: break
            case .corrupt(let why):
                log("\(stage.name): the stored copy is unusable (\(why)); recomputing")
                try store.quarantine(stage.key)
            }
            willExecute()
            if announceStarts { log("\(stage.name) started") }
            let scratch = try store.scratch(stage.key)
            let start = Date()
            do {
                try perform(stage, into: scratch)
            } catch {
                try? FileManager.default.removeItem(at: scratch)
                return .failed((error as? StageFailure)?.reason ?? FileErrors.describe(error))
            }
            let seconds = Date().timeIntervalSince(start)
            try store.publish(scratch, key: stage.key, result: StageResult(
                definition: try StageDefinition(stage), status: .done, seconds: seconds, error: nil,
                finished: ISO8601DateFormatter().string(from: Date())))
            return .done(seconds: seconds)
        } catch {
            return .failed((error as? StageFailure)?.reason ?? FileErrors.describe(error))
        }
    }

    /// Runs one stage's work, writing its outputs into `dir`.
    func perform(_ stage: Stage, into dir: URL) throws {
        // A network runs with the threads its key names; the rest with the run's.
        let workers: Int
        switch stage.work {
        case .train(let p): workers = p.threads ?? 1
        case .probe(let p): workers = p.threads ?? 1
        default: workers = threads
        }
        try Parallelism.withWorkers(workers) { try performKind(stage, into: dir) }
    }

    private func performKind(_ stage: Stage, into dir: URL) throws {
        switch stage.work {
        case .data(let p): try runData(p, key: stage.key, dir: dir)
        case .train(let p): try runTrain(p, stage: stage, dir: dir)
        case .probe(let p): try runProbe(p, stage: stage, dir: dir)
        case .estimate(let p): try runEstimate(p, stage: stage, dir: dir)
        case .importActivations(let p): try runImport(p, stage: stage, dir: dir)
        case .aggregate(let p): try runAggregate(p, stage: stage, dir: dir)
        case .claims(let p): try runClaims(p, stage: stage, dir: dir)
        case .report(let p): try runReport(p, stage: stage, dir: dir)
        }
    }

    /// The prepared arrays of a data stage, recomputed (deterministically) in this process once
    /// and checked against the fingerprint the stage recorded.
    func prepared(_ dataKey: String) throws -> PreparedData {
        lock.lock()
        if let d = dataCache[dataKey] { lock.unlock(); return d }
        lock.unlock()
        let def = try store.definition(dataKey)
        guard case .data(let params) = try def.work() else { throw StageFailure(stage: def.name, reason: "not a data stage") }
        let data = try DataStage.prepare(params.data)
        let recorded = try DataRecord.read(from: store.directory(dataKey))
        if recorded.fingerprint != data.fingerprint {
            throw StageFailure(stage: def.name, reason: "the data in \(data.source) changed since it was prepared (fingerprint \(data.fingerprint.prefix(12)) ≠ \(recorded.fingerprint.prefix(12)))")
        }
        lock.lock()
        dataCache[dataKey] = data
        lock.unlock()
        return data
    }

    private func runData(_ p: DataParams, key: String, dir: URL) throws {
        let data = try DataStage.prepare(p.data)
        lock.lock()
        dataCache[key] = data
        lock.unlock()
        try DataRecord(fingerprint: data.fingerprint, source: data.source, trainCount: data.train.count,
                       testCount: data.test.count, classes: data.train.classes, features: data.train.inputs.columns)
            .write(to: dir)
        log("  data: \(data.train.count) train / \(data.test.count) test examples from \(data.source) (fingerprint \(data.fingerprint.prefix(12)))")
    }
}
