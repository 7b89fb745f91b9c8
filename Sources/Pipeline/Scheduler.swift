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
    /// Per stage index: inputs that have not yet succeeded.
    private var unmet: [Int]
    /// Per stage index: the indices of the stages that read its outputs.
    private let dependants: [[Int]]
    /// Indices of stages whose inputs have all succeeded, in the order they became ready.
    private var ready: [Int] = []
    private var readyHead = 0
    private var cachedCount = 0
    private var failedCount = 0

    init(graph: StageGraph, store: StageStore, executor: StageExecutor, jobs: Int, failFast: Bool,
         log: @escaping @Sendable (String) -> Void) {
        self.graph = graph
        self.store = store
        self.executor = executor
        self.jobs = max(1, jobs)
        self.failFast = failFast
        self.log = log
        var position: [String: Int] = [:]
        for (i, stage) in graph.stages.enumerated() { position[stage.key] = i }
        var dependants = [[Int]](repeating: [], count: graph.count)
        for (i, stage) in graph.stages.enumerated() {
            for input in stage.inputs { if let j = position[input] { dependants[j].append(i) } }
        }
        self.dependants = dependants
        unmet = graph.stages.map(\.inputs.count)
        ready = unmet.indices.filter { unmet[$0] == 0 }
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

    /// The next ready stage, waiting while running stages may still make one ready; nil when
    /// nothing left can become ready.
    /// - Complexity: amortised O(1); stages become ready as their last input succeeds.
    private func next() -> Stage? {
        while true {
            if stopping {
                for stage in graph.stages where outcomes[stage.key] == nil && !running.contains(stage.key) {
                    outcomes[stage.key] = .skipped("not run: an earlier stage failed (--fail-fast)")
                }
                readyHead = ready.count
            }
            if readyHead < ready.count {
                let stage = graph.stages[ready[readyHead]]
                readyHead += 1
                running.insert(stage.key)
                return stage
            }
            if running.isEmpty { return nil }
            condition.wait()
        }
    }

    /// Records how a stage ended: its dependants become ready, or are skipped when it did not succeed.
    private func settle(_ index: Int, _ outcome: StageOutcome) {
        let key = graph.stages[index].key
        outcomes[key] = outcome
        if outcome == .cached { cachedCount += 1 }
        if case .failed = outcome { failedCount += 1 }
        if outcome.succeeded {
            for d in dependants[index] {
                unmet[d] -= 1
                if unmet[d] == 0 && outcomes[graph.stages[d].key] == nil { ready.append(d) }
            }
        } else {
            let reason = "input \(graph.stages[index].name) did not complete"
            for d in dependants[index] where outcomes[graph.stages[d].key] == nil {
                settle(d, .skipped(reason))
            }
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
            settle(graph.index(of: stage.key), outcome)
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
        var line = "[\(outcomes.count) of \(graph.count) stages done (\(cachedCount) cached, \(failedCount) failed)] \(stage.name): \(outcome.status)"
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
