import Foundation
import Reports
import ResultBundles

/// What an executor tells a live display as a run goes: the stages it will settle, each start
/// (a computation, never a cache hit), each ending, and the end of the run. Stages are named by
/// their planned keys.
public enum StageEvent: Sendable {
    /// The stages of the run, each with whether the store already holds it, and how many run
    /// side by side.
    case planned([PlannedStage], jobs: Int)
    case started(key: String)
    case ended(key: String, outcome: StageOutcome)
    /// Every stage has settled, or the executor stopped.
    case finished
}

/// One stage as an executor plans to run it.
public struct PlannedStage: Sendable {
    public var key: String
    public var name: String
    public var kind: StageKind
    /// What sets stages of one kind apart in cost, when something does: the estimator of an
    /// estimate stage.
    public var variant: String?
    /// The store holds it: it will very likely be a cache hit.
    public var stored: Bool
}

/// Follows a run through its stage events and words each stage that ends the way the run log
/// shows it, `[12 of 41 stages done (1 cached, 0 failed)] train[base]: done in 3.2s`, so an output
/// renders the executor's events instead of parsing its text.
///
/// The counts are those of ``run``, the state behind the live status block: the line of a stage
/// and the block above it cannot disagree.
public struct StageTally: Sendable {
    /// The run as the events have told it so far; nil before `.planned`.
    public private(set) var run: LiveRun?

    public init() {}

    /// Stages that have started and not yet ended, by name.
    public var runningNames: [String] { run?.runningNames ?? [] }

    /// Applies `event`, which arrived at `time`; for a stage that ended (not skipped for a
    /// missing input, which its failed input already reports), returns its line and how it ended.
    public mutating func apply(_ event: StageEvent, at time: Date = Date()) -> (line: String, outcome: StageOutcome)? {
        switch event {
        case .planned(let stages, let jobs):
            run = LiveRun(stages: stages.map {
                LiveRun.PlannedStage(key: $0.key, name: $0.name, kind: $0.kind.rawValue + ($0.variant.map { "/" + $0 } ?? ""),
                                     stored: $0.stored)
            }, jobs: jobs, start: time)
            return nil
        case .started(let key):
            run?.started(key, at: time)
            return nil
        case .ended(let key, let outcome):
            guard var run, run.ended(key, Self.ending(outcome)) else { return nil }
            self.run = run
            if case .skipped = outcome { return nil }
            return (Self.line(done: run.settled, of: run.total, cached: run.cached, failed: run.failed,
                              name: run.name(of: key) ?? key, outcome), outcome)
        case .finished:
            return nil
        }
    }

    /// Shows a train stage's latest progress in ``run``; false when that stage is not running.
    public mutating func progress(_ update: TrainingUpdate) -> Bool {
        run?.progress(update.key, update.detail) ?? false
    }

    static func ending(_ outcome: StageOutcome) -> LiveRun.Ending {
        switch outcome {
        case .done(let seconds): return .computed(seconds: seconds)
        case .cached: return .cached
        case .failed: return .failed
        case .skipped: return .skipped
        }
    }

    /// `[12 of 41 stages done (1 cached, 0 failed)] train[base]: done in 3.2s`, or `: failed — why`.
    static func line(done: Int, of total: Int, cached: Int, failed: Int, name: String, _ outcome: StageOutcome) -> String {
        var line = "[\(done) of \(total) stages done (\(cached) cached, \(failed) failed)] \(name): \(outcome.status.rawValue)"
        if case .done(let s) = outcome { line += String(format: " in %.1fs", s) }
        if case .failed(let why) = outcome { line += " — \(why)" }
        return line
    }
}
