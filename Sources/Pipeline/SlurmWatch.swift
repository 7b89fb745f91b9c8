import Foundation

/// Follows a submitted Slurm run for a live display: turns what polls of the queue and the store
/// show into ``StageEvent``s, so a Slurm run's output is worded by the same code as a local one.
///
/// A stage starts when a poll first sees its array task past `PENDING`, or, for a task that ran
/// between two polls, right before its ending. It ends once its task has left the queue, with the
/// outcome the store records, the one the run's report gives: a stage's store entry (or a
/// tolerant stage's inputs) may still change while its task is queued, never after.
final class SlurmWatch {
    let graph: StageGraph
    /// The array task (`<job id>_<index>`) of each submitted stage.
    private let tasks: [String: String]
    private let send: @Sendable (StageEvent) -> Void
    private var started: Set<String> = []
    private var ended: Set<String> = []

    /// A watch over `plan`, whose jobs were submitted as `ids`.
    init(graph: StageGraph, plan: SlurmPlan, ids: [String], send: @escaping @Sendable (StageEvent) -> Void) {
        self.graph = graph
        self.send = send
        tasks = plan.tasks(jobIDs: ids)
    }

    /// Sends the plan, then ends the stages the store held (`cached`) as cache hits.
    ///
    /// How many tasks the cluster runs at once is not known here: `jobs` is what the arrays
    /// allow, `--max-parallel` or else every stage to compute.
    func begin(cached: Set<String>, maxParallel: Int) {
        let pending = graph.count - cached.count
        let jobs = max(1, maxParallel > 0 ? min(maxParallel, pending) : pending)
        send(.planned(graph.stages.map {
            PlannedStage(key: $0.key, name: $0.name, kind: $0.kind, variant: $0.costVariant, stored: cached.contains($0.key))
        }, jobs: jobs))
        for stage in graph.stages where cached.contains(stage.key) { end(stage.key, .cached) }
    }

    /// Reports what one poll of the queue (`Slurm.queue`, as states) shows: tasks now past `PENDING`
    /// start, tasks gone from the queue end with `outcome(key)`, inputs before their dependants.
    func poll(_ queue: [String: String], outcome: (String) -> StageOutcome) {
        for stage in graph.stages where !ended.contains(stage.key) {
            guard let task = tasks[stage.key] else { continue }
            if let state = Slurm.entry(of: task, in: queue) {
                if state != "PENDING" { start(stage.key) }
            } else {
                end(stage.key, outcome(stage.key))
            }
        }
    }

    /// Ends every stage not yet ended with its outcome in the run's report, then the run.
    func finish(_ outcomes: [String: StageOutcome]) {
        for stage in graph.stages where !ended.contains(stage.key) {
            if let outcome = outcomes[stage.key] { end(stage.key, outcome) }
        }
        send(.finished)
    }

    private func start(_ key: String) {
        if started.insert(key).inserted { send(.started(key: key)) }
    }

    private func end(_ key: String, _ outcome: StageOutcome) {
        // A stage that computed or failed ran, whether or not a poll caught it running.
        switch outcome {
        case .done, .failed: start(key)
        case .cached, .skipped: break
        }
        ended.insert(key)
        send(.ended(key: key, outcome: outcome))
    }
}
