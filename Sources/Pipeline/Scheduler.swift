import Foundation
import ResultBundles

/// How a stage ended in one run.
public enum StageOutcome: Sendable, Equatable {
    /// Computed in this run.
    case done(seconds: Double)
    /// Found complete in the store; not recomputed.
    case cached
    case failed(String)
    /// Not run because an input failed (or `--fail-fast` stopped the run).
    case skipped(String)

    public var status: String {
        switch self {
        case .done: return "done"
        case .cached: return "cached"
        case .failed: return "failed"
        case .skipped: return "skipped"
        }
    }

    public var succeeded: Bool {
        switch self {
        case .done, .cached: return true
        default: return false
        }
    }
}

/// Runs a stage graph: ready stages side by side up to `jobs`, cached ones skipped, failures
/// confined to their dependants.
final class Scheduler: @unchecked Sendable {
    let graph: StageGraph
    let store: StageStore
    let executor: StageExecutor
    let jobs: Int
    let failFast: Bool
    let log: @Sendable (String) -> Void
    /// Counts executions, for tests and the summary.
    private(set) var executed = 0

    private let condition = NSCondition()
    private var outcomes: [String: StageOutcome] = [:]
    private var running: Set<String> = []
    private var stopping = false

    init(graph: StageGraph, store: StageStore, executor: StageExecutor, jobs: Int, failFast: Bool,
         log: @escaping @Sendable (String) -> Void) {
        self.graph = graph
        self.store = store
        self.executor = executor
        self.jobs = max(1, jobs)
        self.failFast = failFast
        self.log = log
    }

    func run() throws -> [String: StageOutcome] {
        for stage in graph.stages { try store.saveDefinition(stage) }
        let done = DispatchGroup()
        for _ in 0..<min(jobs, max(1, graph.count)) {
            done.enter()
            Thread.detachNewThread {
                self.work()
                done.leave()
            }
        }
        done.wait()
        return outcomes
    }

    /// The next stage whose inputs have all succeeded, waiting while inputs are still running;
    /// nil when nothing left can become ready. Stages whose inputs failed are marked skipped.
    private func next() -> Stage? {
        while true {
            var pending = false
            for stage in graph.stages where outcomes[stage.key] == nil && !running.contains(stage.key) {
                if stopping {
                    outcomes[stage.key] = .skipped("not run: an earlier stage failed (--fail-fast)")
                    continue
                }
                if let bad = stage.inputs.first(where: { outcomes[$0].map { !$0.succeeded } ?? false }) {
                    outcomes[stage.key] = .skipped("input \(graph.stage(bad)?.name ?? bad) did not complete")
                    continue
                }
                if stage.inputs.allSatisfy({ outcomes[$0]?.succeeded == true }) {
                    running.insert(stage.key)
                    return stage
                }
                pending = true
            }
            if !pending || running.isEmpty { return nil }
            condition.wait()
        }
    }

    private func work() {
        while true {
            condition.lock()
            guard let stage = next() else {
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            let outcome = execute(stage)
            condition.lock()
            running.remove(stage.key)
            outcomes[stage.key] = outcome
            if case .failed = outcome, failFast { stopping = true }
            report(stage, outcome)
            condition.broadcast()
            condition.unlock()
        }
    }

    private func execute(_ stage: Stage) -> StageOutcome {
        StageRunner.run(stage, store: store, executor: executor, log: log) {
            self.condition.lock()
            self.executed += 1
            self.condition.unlock()
        }
    }

    private func report(_ stage: Stage, _ outcome: StageOutcome) {
        let finished = outcomes.count
        let cached = outcomes.values.filter { $0 == .cached }.count
        let failed = outcomes.values.filter { if case .failed = $0 { return true } else { return false } }.count
        var line = "[\(finished) of \(graph.count) stages done (\(cached) cached, \(failed) failed)] \(stage.name): \(outcome.status)"
        if case .done(let s) = outcome { line += String(format: " in %.1fs", s) }
        if case .failed(let why) = outcome { line += " — \(why)" }
        if !running.isEmpty {
            line += "; running: " + running.compactMap { graph.stage($0)?.name }.sorted().joined(separator: ", ")
        }
        log(line)
    }
}

/// Executes one stage under its lock, unless the store already holds it.
enum StageRunner {
    /// - Parameter willExecute: called when the stage is actually computed (not cached).
    static func run(_ stage: Stage, store: StageStore, executor: StageExecutor, log: (String) -> Void,
                    willExecute: () -> Void = {}) -> StageOutcome {
        do {
            let lock = try store.lock(stage.key)
            defer { withExtendedLifetime(lock) {} }
            if store.isDone(stage.key) { return .cached }
            willExecute()
            log("\(stage.name) started")
            let scratch = try store.scratch(stage.key)
            let start = Date()
            do {
                try executor.execute(stage, into: scratch)
            } catch {
                try? FileManager.default.removeItem(at: scratch)
                return .failed((error as? StageFailure)?.reason ?? "\(error)")
            }
            let seconds = Date().timeIntervalSince(start)
            try store.publish(scratch, key: stage.key, result: StageResult(
                definition: try StageDefinition(stage), status: "done", seconds: seconds, error: nil,
                finished: ISO8601DateFormatter().string(from: Date())))
            return .done(seconds: seconds)
        } catch {
            return .failed("\(error)")
        }
    }
}
