import Foundation

/// The state behind ``LiveStatus``: which stages a run has, which run now and since when, how
/// the settled ones ended and what they cost. Fed by the executor's stage events; times are
/// passed in, so it holds no clock.
public struct LiveRun: Sendable {
    /// A stage of the run as planned.
    public struct PlannedStage: Sendable, Equatable {
        public var key: String
        public var name: String
        /// The stage kind, with what sets it apart in cost after a slash (`estimate/twonn`;
        /// see ``RunETA``).
        public var kind: String
        /// Whether the store already holds it: it will be a cache hit, not work.
        public var stored: Bool

        public init(key: String, name: String, kind: String, stored: Bool) {
            self.key = key
            self.name = name
            self.kind = kind
            self.stored = stored
        }
    }

    /// How a stage ended.
    public enum Ending: Sendable, Equatable {
        case computed(seconds: Double)
        case cached
        case failed
        case skipped
    }

    public let jobs: Int
    public let start: Date
    private let stages: [String: PlannedStage]
    private var running: [String: (since: Date, detail: String?)] = [:]
    private var endings: [String: Ending] = [:]
    /// Stages that ended as cache hits, and that failed.
    public private(set) var cached = 0
    public private(set) var failed = 0
    /// Stages still to compute, per kind: neither started nor ended nor held by the store. Kept
    /// up to date as events arrive, so a status costs O(running), not O(stages).
    private var pending: [String: Int] = [:]
    private var pendingKeys: Set<String> = []
    public private(set) var eta = RunETA()

    public init(stages: [PlannedStage], jobs: Int, start: Date) {
        var byKey: [String: PlannedStage] = [:]
        for s in stages {
            byKey[s.key] = s
            if !s.stored, pendingKeys.insert(s.key).inserted { pending[s.kind, default: 0] += 1 }
        }
        self.stages = byKey
        self.jobs = max(jobs, 1)
        self.start = start
    }

    /// Whether every stage has ended.
    public var isComplete: Bool { endings.count == stages.count }
    /// Stages that have ended, however they ended, of `total`.
    public var settled: Int { endings.count }
    public var total: Int { stages.count }

    /// The planned name of a stage.
    public func name(of key: String) -> String? { stages[key]?.name }

    /// Stages that have started and not yet ended, by name.
    public var runningNames: [String] { running.keys.compactMap { stages[$0]?.name }.sorted() }

    /// A stage started computing (cache hits never start).
    public mutating func started(_ key: String, at time: Date) {
        guard stages[key] != nil, endings[key] == nil else { return }
        leavePending(key)
        running[key] = (time, nil)
    }

    private mutating func leavePending(_ key: String) {
        guard pendingKeys.remove(key) != nil, let kind = stages[key]?.kind else { return }
        pending[kind, default: 1] -= 1
    }

    /// The latest progress of a running stage, e.g. `epoch 3/10 step 120/937 …`; false (and
    /// nothing changes) when the stage is not running.
    @discardableResult
    public mutating func progress(_ key: String, _ detail: String) -> Bool {
        guard let r = running[key] else { return false }
        running[key] = (r.since, detail)
        return true
    }

    /// A stage ended; false (and nothing is counted) for a stage not planned or already ended.
    @discardableResult
    public mutating func ended(_ key: String, _ ending: Ending) -> Bool {
        guard let stage = stages[key], endings[key] == nil else { return false }
        leavePending(key)
        running[key] = nil
        endings[key] = ending
        switch ending {
        case .computed(let seconds): eta.record(kind: stage.kind, seconds: seconds)
        case .cached: cached += 1
        case .failed: failed += 1
        case .skipped: break
        }
        return true
    }

    /// The status at `now`.
    /// - Complexity: O(running stages + kinds).
    public func status(now: Date) -> LiveStatus {
        let runningNow = running.compactMap { key, r -> (kind: String, shown: LiveStatus.Running)? in
            guard let s = stages[key] else { return nil }
            return (s.kind, LiveStatus.Running(name: s.name, elapsed: max(now.timeIntervalSince(r.since), 0), detail: r.detail))
        }
        let estimate = eta.estimate(pending: pending,
                                    running: runningNow.map { RunETA.RunningStage(kind: $0.kind, elapsed: $0.shown.elapsed) },
                                    jobs: jobs)
        return LiveStatus(settled: settled, total: total, cached: cached, failed: failed,
                          elapsed: max(now.timeIntervalSince(start), 0), eta: estimate, running: runningNow.map(\.shown))
    }
}
