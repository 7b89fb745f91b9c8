/// The time a run still needs, estimated from the stages it has already computed.
///
/// Each stage kind (`train`, `probe`, `estimate`, …) has a cost: the mean duration of the stages
/// of that kind computed so far in this run (stages of one kind in one spec usually cost alike).
/// The work left is
///
/// ```
/// W = Σ_pending m_kind + Σ_running max(m_kind − elapsed, 0)
/// ETA = max(W / jobs, the longest single item of W)
/// ```
///
/// The second term is the usual lower bound on a schedule's length: `jobs` workers cannot split
/// one stage. Stages taken from the cache are no work: they are neither samples nor pending
/// work. A kind with pending or running stages and no computed sample makes the estimate unknown,
/// except for the closing kinds (`aggregate`, `claims`, `report`): they run once at the end, so no
/// sample ever precedes them; they are left out and the ETA is a lower bound.
public struct RunETA: Sendable, Equatable {
    /// What can be said about the time left.
    public enum Estimate: Sendable, Equatable {
        /// Some pending kind has no computed sample yet (listed, sorted).
        case unknown(missing: [String])
        /// Seconds left.
        case seconds(Double)
        /// At least this many seconds: the closing kinds listed have no sample and are left out.
        case atLeast(Double, excluding: [String])
    }

    /// A stage running now.
    public struct RunningStage: Sendable, Equatable {
        public var kind: String
        public var elapsed: Double

        public init(kind: String, elapsed: Double) {
            self.kind = kind
            self.elapsed = elapsed
        }
    }

    /// Per kind: how many stages were computed.
    public private(set) var counts: [String: Int] = [:]
    /// Per kind: their total seconds.
    public private(set) var totals: [String: Double] = [:]

    public init() {}

    /// Records a stage computed in `seconds` (cache hits are not recorded: they cost nothing
    /// and say nothing about the next computation). Non-finite or negative durations are ignored.
    public mutating func record(kind: String, seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        counts[kind, default: 0] += 1
        totals[kind, default: 0] += seconds
    }

    /// The mean duration of the computed stages of `kind`, nil before the first.
    public func meanSeconds(_ kind: String) -> Double? {
        guard let n = counts[kind], n > 0, let total = totals[kind] else { return nil }
        return total / Double(n)
    }

    /// The time left for `pending` stages (count per kind, cache hits excluded) and the `running`
    /// ones, on `jobs` workers.
    /// - Parameter closingKinds: kinds left out (with a lower bound) when they have no sample.
    public func estimate(pending: [String: Int], running: [RunningStage], jobs: Int,
                         closingKinds: Set<String> = ["aggregate", "claims", "report"]) -> Estimate {
        var missing = Set<String>()
        var work = 0.0
        var longest = 0.0
        for (kind, count) in pending where count > 0 {
            guard let m = meanSeconds(kind) else { missing.insert(kind); continue }
            work += m * Double(count)
            longest = max(longest, m)
        }
        for stage in running {
            guard let m = meanSeconds(stage.kind) else { missing.insert(stage.kind); continue }
            // A stage running past the mean of its kind is counted as about to finish: the
            // estimate then errs low for it, never below zero.
            let left = max(m - max(stage.elapsed, 0), 0)
            work += left
            longest = max(longest, left)
        }
        let open = missing.subtracting(closingKinds)
        if !open.isEmpty { return .unknown(missing: open.sorted()) }
        let seconds = max(work / Double(max(jobs, 1)), longest)
        guard seconds.isFinite else { return .unknown(missing: []) }
        return missing.isEmpty ? .seconds(seconds) : .atLeast(seconds, excluding: missing.sorted())
    }
}
