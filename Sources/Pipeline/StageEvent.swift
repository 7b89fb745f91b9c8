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
