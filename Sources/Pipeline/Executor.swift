import Foundation
import ResultBundles

/// Runs the stages of a graph that the store does not hold, somewhere: in this process, on a
/// cluster, on anything that can run `accordion stage exec <key>` against the same store.
///
/// An executor reports how each stage ended; the ``Runner`` writes the bundle from that. A new
/// executor is one new file conforming to this protocol plus a case in ``RunOptions/executor``.
public protocol Executor {
    /// Runs `graph`, returning each stage's outcome, or nil when the executor returned before the
    /// stages ended (a dry run, or a cluster submission not waited for).
    func execute(_ graph: StageGraph, store: StageStore, context: ExecutionContext) throws -> ExecutionReport?
}

/// What every executor is given besides the graph.
public struct ExecutionContext: Sendable {
    /// The run's id (names per-run files such as Slurm scripts).
    public var runID: String
    /// The results directory the store lives in.
    public var resultsDirectory: URL
    /// Progress lines.
    public var log: @Sendable (String) -> Void
    /// In-epoch training progress.
    public var progress: TrainingProgress?
    /// Stage starts and endings for a live display. The local executor sends them for every run;
    /// the Slurm executor while it waits for its jobs (not for a dry run or `--no-wait`).
    public var events: (@Sendable (StageEvent) -> Void)? = nil
}

/// How each stage of a graph ended, keyed by the stage's planned key.
public struct ExecutionReport: Sendable {
    public var outcomes: [String: StageOutcome]
    /// The key each stage ran under, where it differs from the planned one: a stage that runs
    /// without some of its inputs (an aggregate after a failed point) is a different stage.
    public var keys: [String: String]
    /// Stages computed (not taken from the store).
    public var executed: Int

    public init(outcomes: [String: StageOutcome], keys: [String: String], executed: Int) {
        self.outcomes = outcomes
        self.keys = keys
        self.executed = executed
    }

    /// The key a stage's outputs are under.
    public func key(_ planned: String) -> String { keys[planned] ?? planned }
}

/// Whether an input of a stage can be read, and under which key.
enum InputState {
    case available(String)
    case missing(StageStatus, String)
}

extension Stage {
    /// The stage as it runs once its inputs have settled: inputs renamed to the keys they were
    /// published under, and (for kinds that tolerate it) the inputs that did not complete named in
    /// the parameters, the key recomputed from both. Unchanged when every input completed under
    /// its planned key.
    func resolved(_ state: (String) -> InputState, nameOf: (String) -> String) throws -> Stage {
        guard kind.toleratesMissingInputs else { return self }
        var inputs: [String] = []
        var missing: [MissingInput] = []
        for key in self.inputs {
            switch state(key) {
            case .available(let k):
                inputs.append(k)
            case .missing(let status, let why):
                inputs.append(key)
                missing.append(MissingInput(key: key, name: nameOf(key), status: status, reason: why))
            }
        }
        if inputs == self.inputs && missing.isEmpty { return self }
        let work = missing.isEmpty ? self.work : self.work.without(missing)
        let params = try work.paramsJSON()
        return Stage(key: StageKeys.key(kind: kind, params: params, inputs: inputs), name: name, work: work,
                     inputs: inputs, points: points, params: params)
    }
}
