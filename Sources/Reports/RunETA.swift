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
/// one stage. A kind may name a variant after a slash (`estimate/twonn`, `estimate/linear_probe`:
/// estimators differ in cost by orders of magnitude): a variant's cost is its own mean once one
/// of its stages is measured, and until then the mean of every measured stage of its kind. Stages taken from the cache are no work: they are neither samples nor pending
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

    /// Per kind (with its variant): how many stages were computed.
    public private(set) var counts: [String: Int] = [:]
    /// Per kind (with its variant): their total seconds.
    public private(set) var totals: [String: Double] = [:]
    /// The same per kind without the variant.
    private var kindCounts: [String: Int] = [:]
    private var kindTotals: [String: Double] = [:]

    /// `estimate` of `estimate/twonn`; the kind itself when it names no variant.
    public static func baseKind(_ kind: String) -> String {
        kind.firstIndex(of: "/").map { String(kind[..<$0]) } ?? kind
    }

    public init() {}

    /// Records a stage computed in `seconds` (cache hits are not recorded: they cost nothing
    /// and say nothing about the next computation). Non-finite or negative durations are ignored.
    public mutating func record(kind: String, seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        counts[kind, default: 0] += 1
        totals[kind, default: 0] += seconds
        let base = Self.baseKind(kind)
        kindCounts[base, default: 0] += 1
        kindTotals[base, default: 0] += seconds
    }

    /// The mean duration of the computed stages of `kind` (of its base kind while the variant
    /// has none), nil before the first.
    public func meanSeconds(_ kind: String) -> Double? {
        if let n = counts[kind], n > 0, let total = totals[kind] { return total / Double(n) }
        let base = Self.baseKind(kind)
        guard let n = kindCounts[base], n > 0, let total = kindTotals[base] else { return nil }
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
            guard let m = meanSeconds(kind) else { missing.insert(Self.baseKind(kind)); continue }
            work += m * Double(count)
            longest = max(longest, m)
        }
        for stage in running {
            guard let m = meanSeconds(stage.kind) else { missing.insert(Self.baseKind(stage.kind)); continue }
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
