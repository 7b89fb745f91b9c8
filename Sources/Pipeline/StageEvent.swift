import Foundation
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

/// Counts a run's stage events and words each stage that ends the way the run log shows it,
/// `[12 of 41 stages done (1 cached, 0 failed)] train[base]: done in 3.2s`, so an output renders
/// the executor's events instead of parsing its text.
public struct StageTally: Sendable {
    private var names: [String: String] = [:]
    private var total = 0, ended = 0, cached = 0, failed = 0
    private var running: Set<String> = []

    public init() {}

    /// Stages that have started and not yet ended, by name.
    public var runningNames: [String] { running.compactMap { names[$0] }.sorted() }

    /// Applies `event`; for a stage that ended (not skipped for a missing input, which its failed
    /// input already reports), returns its line and how it ended.
    public mutating func apply(_ event: StageEvent) -> (line: String, outcome: StageOutcome)? {
        switch event {
        case .planned(let stages, _):
            names = Dictionary(stages.map { ($0.key, $0.name) }, uniquingKeysWith: { a, _ in a })
            total = stages.count
            ended = 0; cached = 0; failed = 0
            running = []
            return nil
        case .started(let key):
            running.insert(key)
            return nil
        case .ended(let key, let outcome):
            running.remove(key)
            ended += 1
            switch outcome {
            case .cached: cached += 1
            case .failed: failed += 1
            case .skipped: return nil
            case .done: break
            }
            return (Self.line(done: ended, of: total, cached: cached, failed: failed, name: names[key] ?? key, outcome), outcome)
        case .finished:
            return nil
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
