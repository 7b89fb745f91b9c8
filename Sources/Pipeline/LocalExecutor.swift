import Foundation
import ResultBundles

/// Runs a stage graph in this process: ready stages side by side on `jobs` threads, stages the
/// store holds taken from it, failures confined to their dependants.
public struct LocalExecutor: Executor {
    public var jobs: Int
    public var failFast: Bool
    /// Threads per stage (`execution.threads`).
    public var threads: Int

    public init(jobs: Int, failFast: Bool, threads: Int = 1) {
        self.jobs = jobs
        self.failFast = failFast
        self.threads = threads
    }

    public func execute(_ graph: StageGraph, store: StageStore, context: ExecutionContext) throws -> ExecutionReport? {
        // With an event sink the output words starts and ends from the events, not from text.
        let worker = StageWorker(store: store, log: context.log, progress: context.progress, announceStarts: context.events == nil,
                                 threads: threads)
        let pool = StagePool(graph: graph, store: store, worker: worker, jobs: jobs, failFast: failFast, log: context.log,
                             events: context.events)
        return try pool.run()
    }
}

/// The thread pool behind ``LocalExecutor``.
final class StagePool: @unchecked Sendable {
    let graph: StageGraph
    let store: StageStore
    let worker: StageWorker
    let jobs: Int
    let failFast: Bool
    let log: @Sendable (String) -> Void
    let events: (@Sendable (StageEvent) -> Void)?
    private var executed = 0

    private let condition = NSCondition()
    private var outcomes: [String: StageOutcome] = [:]
    private var keys: [String: String] = [:]
    private var running: Set<String> = []
    private var stopping = false
    /// Per stage index: inputs that have not yet settled (for tolerant kinds) or succeeded.
    private var unmet: [Int]
    /// Per stage index: the indices of the stages that read its outputs.
    private let dependants: [[Int]]
    /// Indices of stages whose inputs are ready, in the order they became ready.
    private var ready: [Int] = []
    private var readyHead = 0
    private var cachedCount = 0
    private var failedCount = 0

    init(graph: StageGraph, store: StageStore, worker: StageWorker, jobs: Int, failFast: Bool,
         log: @escaping @Sendable (String) -> Void, events: (@Sendable (StageEvent) -> Void)? = nil) {
        self.graph = graph
        self.store = store
        self.worker = worker
        self.jobs = max(1, jobs)
        self.failFast = failFast
        self.log = log
        self.events = events
        var dependants = [[Int]](repeating: [], count: graph.count)
        for (i, stage) in graph.stages.enumerated() {
            for input in stage.inputs { dependants[graph.index(of: input)].append(i) }
        }
        self.dependants = dependants
        unmet = graph.stages.map(\.inputs.count)
        ready = unmet.indices.filter { unmet[$0] == 0 }
    }

    func run() throws -> ExecutionReport {
        for stage in graph.stages { try store.saveDefinition(stage) }
        if let events {
            events(.planned(graph.stages.map { PlannedStage(key: $0.key, name: $0.name, kind: $0.kind, variant: $0.costVariant,
                                                            stored: store.isDone($0.key)) },
                            jobs: min(jobs, max(1, graph.count))))
        }
        defer { events?(.finished) }
        let done = DispatchGroup()
        for _ in 0..<min(jobs, max(1, graph.count)) {
            done.enter()
            Thread.detachNewThread {
                self.work()
                done.leave()
            }
        }
        done.wait()
        return ExecutionReport(outcomes: outcomes, keys: keys, executed: executed)
    }

    /// The next ready stage, as it will run, waiting while running stages may still make one
    /// ready; nil when nothing left can become ready. Called with the condition locked.
    /// - Complexity: amortised O(1); stages become ready as their last input settles.
    private func next() -> (index: Int, stage: Stage)? {
        while true {
            if stopping {
                for stage in graph.stages where outcomes[stage.key] == nil && !running.contains(stage.key) {
                    outcomes[stage.key] = .skipped("not run: an earlier stage failed (--fail-fast)")
                    events?(.ended(key: stage.key, outcome: .skipped("not run: an earlier stage failed (--fail-fast)")))
                }
                readyHead = ready.count
            }
            if readyHead < ready.count {
                let index = ready[readyHead]
                let planned = graph.stages[index]
                readyHead += 1
                running.insert(planned.key)
                do {
                    return (index, try planned.resolved({ key in
                        guard let o = outcomes[key] else { return .missing(.pending, "not run") }
                        return o.succeeded ? .available(keys[key] ?? key) : .missing(o.status, o.reason ?? "")
                    }, nameOf: { graph.stage($0)?.name ?? $0 }))
                } catch {
                    running.remove(planned.key)
                    settle(index, .failed("cannot prepare the stage: \(error)"))
                    continue
                }
            }
            if running.isEmpty { return nil }
            condition.wait()
        }
    }

    /// Records how a stage ended: its dependants move towards ready, or are skipped when it did not
    /// succeed and they cannot run without it.
    private func settle(_ index: Int, _ outcome: StageOutcome) {
        let stage = graph.stages[index]
        outcomes[stage.key] = outcome
        events?(.ended(key: stage.key, outcome: outcome))
        if outcome == .cached { cachedCount += 1 }
        if case .failed = outcome { failedCount += 1 }
        for d in dependants[index] where outcomes[graph.stages[d].key] == nil {
            if outcome.succeeded || graph.stages[d].kind.toleratesMissingInputs {
                unmet[d] -= 1
                if unmet[d] == 0 { ready.append(d) }
            } else {
                settle(d, .skipped("input \(stage.name) did not complete"))
            }
        }
    }

    private func work() {
        while true {
            condition.lock()
            guard let (index, stage) = next() else {
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            let planned = graph.stages[index].key
            let outcome = worker.compute(stage) {
                self.condition.lock()
                self.executed += 1
                self.events?(.started(key: planned))
                self.condition.unlock()
            }
            condition.lock()
            running.remove(planned)
            if stage.key != planned { keys[planned] = stage.key }
            settle(index, outcome)
            if case .failed = outcome, failFast { stopping = true }
            report(graph.stages[index], outcome)
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The text line of a finished stage, for a run without an event sink (which words it itself).
    private func report(_ stage: Stage, _ outcome: StageOutcome) {
        guard events == nil else { return }
        var line = StageTally.line(done: outcomes.count, of: graph.count, cached: cachedCount, failed: failedCount, name: stage.name, outcome)
        if !running.isEmpty {
            line += "; running: " + running.compactMap { graph.stage($0)?.name }.sorted().joined(separator: ", ")
        }
        log(line)
    }
}

extension Stage {
    /// What sets this stage apart in cost from others of its kind (see ``PlannedStage/variant``).
    var costVariant: String? {
        if case .estimate(let p) = work { return p.estimator }
        return nil
    }
}
