import Foundation
import Testing
@testable import Reports

@Suite("Run ETA")
struct RunETATests {
    /// Two train stages measured at 10 s and 20 s, one estimate at 2 s.
    func measured() -> RunETA {
        var eta = RunETA()
        eta.record(kind: "train", seconds: 10)
        eta.record(kind: "train", seconds: 20)
        eta.record(kind: "estimate", seconds: 2)
        return eta
    }

    @Test("known durations give a known ETA: the mean per kind times the pending stages, over the jobs")
    func knownDurations() {
        let eta = measured()
        #expect(eta.meanSeconds("train") == 15)
        // 4 trains × 15 + 10 estimates × 2 = 80 s of work on 2 jobs.
        #expect(eta.estimate(pending: ["train": 4, "estimate": 10], running: [], jobs: 2) == .seconds(40))
        #expect(eta.estimate(pending: ["train": 4, "estimate": 10], running: [], jobs: 1) == .seconds(80))
    }

    @Test("running stages count what their kind's mean leaves of them, never less than nothing")
    func runningStages() {
        let eta = measured()
        let running = [RunETA.RunningStage(kind: "train", elapsed: 5), RunETA.RunningStage(kind: "train", elapsed: 60)]
        // 10 s left of the first, none of the overrunning one, plus 2 estimates: 14 s on 2 jobs = 7,
        // but the running train alone needs 10.
        #expect(eta.estimate(pending: ["estimate": 2], running: running, jobs: 2) == .seconds(10))
        #expect(eta.estimate(pending: [:], running: [RunETA.RunningStage(kind: "train", elapsed: 99)], jobs: 2) == .seconds(0))
    }

    @Test("a variant costs its own mean once measured, the mean of its kind until then")
    func variants() {
        var eta = RunETA()
        eta.record(kind: "estimate/pr", seconds: 1)
        eta.record(kind: "estimate/pr", seconds: 1)
        eta.record(kind: "estimate/linear_probe", seconds: 40)
        #expect(eta.meanSeconds("estimate/pr") == 1)
        #expect(eta.meanSeconds("estimate/linear_probe") == 40)
        #expect(eta.meanSeconds("estimate/twonn") == 14)
        #expect(eta.meanSeconds("train") == nil)
        // 3 pr + 2 probes + 1 twonn = 3 + 80 + 14 = 97 s on one job.
        #expect(eta.estimate(pending: ["estimate/pr": 3, "estimate/linear_probe": 2, "estimate/twonn": 1], running: [], jobs: 1)
                == .seconds(97))
        #expect(eta.estimate(pending: ["train": 1, "estimate/pr": 1], running: [], jobs: 1) == .unknown(missing: ["train"]))
    }

    @Test("one stage cannot be split between jobs: a lone pending train takes its whole mean")
    func longestItem() {
        #expect(measured().estimate(pending: ["train": 1], running: [], jobs: 4) == .seconds(15))
    }

    @Test("a pending kind with no finished stage makes the ETA unknown")
    func unknownKind() {
        var eta = RunETA()
        #expect(eta.estimate(pending: ["train": 3], running: [], jobs: 2) == .unknown(missing: ["train"]))
        eta.record(kind: "train", seconds: 4)
        #expect(eta.estimate(pending: ["train": 3, "probe": 2, "estimate": 1], running: [], jobs: 2)
                == .unknown(missing: ["estimate", "probe"]))
        #expect(eta.estimate(pending: [:], running: [RunETA.RunningStage(kind: "probe", elapsed: 1)], jobs: 2)
                == .unknown(missing: ["probe"]))
    }

    @Test("the closing stages, which no sample can precede, are left out and make the ETA a lower bound")
    func closingKinds() {
        #expect(measured().estimate(pending: ["estimate": 4, "aggregate": 1, "report": 1], running: [], jobs: 2)
                == .atLeast(4, excluding: ["aggregate", "report"]))
    }

    @Test("cached stages are not work: they are not recorded and their time is not a sample")
    func cachedStagesAreNotWork() {
        var run = LiveRun(stages: [
            .init(key: "t1", name: "train[a]", kind: "train", stored: true),
            .init(key: "t2", name: "train[b]", kind: "train", stored: false),
            .init(key: "t3", name: "train[c]", kind: "train", stored: false),
        ], jobs: 1, start: .init(timeIntervalSince1970: 0))
        run.ended("t1", .cached)
        #expect(run.eta.meanSeconds("train") == nil)
        #expect(run.status(now: .init(timeIntervalSince1970: 1)).eta == .unknown(missing: ["train"]))
        run.started("t2", at: .init(timeIntervalSince1970: 1))
        run.ended("t2", .computed(seconds: 30))
        // The one train left costs 30 s; the cached one is not counted again.
        #expect(run.status(now: .init(timeIntervalSince1970: 31)).eta == .seconds(30))
    }

    @Test("a stage the store holds is not pending work even before its cache hit is seen")
    func storedStagesAreNotPending() {
        var run = LiveRun(stages: [
            .init(key: "t1", name: "train[a]", kind: "train", stored: false),
            .init(key: "t2", name: "train[b]", kind: "train", stored: true),
        ], jobs: 1, start: .init(timeIntervalSince1970: 0))
        run.started("t1", at: .init(timeIntervalSince1970: 0))
        run.ended("t1", .computed(seconds: 12))
        #expect(run.status(now: .init(timeIntervalSince1970: 12)).eta == .seconds(0))
    }

    @Test("stages skipped after a failure leave the pending work")
    func skippedStages() {
        var run = LiveRun(stages: [
            .init(key: "t1", name: "train[a]", kind: "train", stored: false),
            .init(key: "t2", name: "train[b]", kind: "train", stored: false),
            .init(key: "p2", name: "probe[b]", kind: "probe", stored: false),
        ], jobs: 1, start: .init(timeIntervalSince1970: 0))
        run.started("t1", at: .init(timeIntervalSince1970: 0))
        run.ended("t1", .computed(seconds: 5))
        #expect(run.status(now: .init(timeIntervalSince1970: 5)).eta == .unknown(missing: ["probe"]))
        run.started("t2", at: .init(timeIntervalSince1970: 5))
        run.ended("t2", .failed)
        run.ended("p2", .skipped)
        // Nothing is left to run: no probe will ever be measured, and none is needed.
        #expect(run.status(now: .init(timeIntervalSince1970: 6)).eta == .seconds(0))
        #expect(run.isComplete)
    }

    @Test("durations that are not finite or are negative are ignored")
    func badDurations() {
        var eta = RunETA()
        eta.record(kind: "train", seconds: .nan)
        eta.record(kind: "train", seconds: -3)
        eta.record(kind: "train", seconds: .infinity)
        #expect(eta.meanSeconds("train") == nil)
    }
}
