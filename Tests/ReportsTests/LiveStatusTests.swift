import Foundation
import Testing
@testable import Reports

@Suite("Live status block")
struct LiveStatusTests {
    static func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    /// Three trains and two estimates on two jobs; one train done in 60 s.
    func run() -> LiveRun {
        var run = LiveRun(stages: [
            .init(key: "d", name: "data[manifold]", kind: "data", stored: true),
            .init(key: "t1", name: "train[width=64]", kind: "train", stored: false),
            .init(key: "t2", name: "train[width=128]", kind: "train", stored: false),
            .init(key: "t3", name: "train[width=256]", kind: "train", stored: false),
            .init(key: "e1", name: "estimate[width=64,epoch=1,h1,pr]", kind: "estimate", stored: false),
        ], jobs: 2, start: Self.at(0))
        run.ended("d", .cached)
        run.started("t1", at: Self.at(0))
        run.started("t2", at: Self.at(0))
        run.ended("t1", .computed(seconds: 60))
        run.started("t3", at: Self.at(60))
        run.started("e1", at: Self.at(70))
        run.ended("e1", .computed(seconds: 4))
        return run
    }

    @Test("the block has the counts, the elapsed time, the ETA and one line per running stage, longest first")
    func block() {
        var r = run()
        r.progress("t3", "epoch 2/10 step 40/100 loss 0.4123, 3012 samples/s")
        let lines = r.status(now: Self.at(75)).lines(width: 200)
        // Left: t2 needs 60 − 75 → 0, t3 needs 60 − 15 = 45; one job cannot split t3.
        #expect(lines == [
            "[3 of 5 stages done (1 cached, 0 failed)] 1m15s elapsed, ETA 45s",
            "   1m15s train[width=128]",
            "     15s train[width=256] epoch 2/10 step 40/100 loss 0.4123, 3012 samples/s",
        ])
    }

    @Test("before a train has finished the ETA is unknown")
    func unknownETA() {
        var r = LiveRun(stages: [.init(key: "t1", name: "train[a]", kind: "train", stored: false)], jobs: 1, start: Self.at(0))
        r.started("t1", at: Self.at(0))
        #expect(r.status(now: Self.at(3)).lines(width: 80) == [
            "[0 of 1 stages done (0 cached, 0 failed)] 3.0s elapsed, ETA —",
            "    3.0s train[a]",
        ])
    }

    @Test("on a narrow terminal the header shrinks to keep the ETA, and every line is cut with an ellipsis")
    func narrow() {
        var r = run()
        r.progress("t3", "epoch 2/10 step 40/100 loss 0.4123, 3012 samples/s")
        let lines = r.status(now: Self.at(75)).lines(width: 24)
        #expect(lines == [
            "[3/5] ETA 45s, 1m15s el…",
            "   1m15s train[width=12…",
            "     15s train[width=25…",
        ])
        #expect(r.status(now: Self.at(75)).lines(width: 3) == ["[3…", "  …", "  …"])
    }

    @Test("more running stages than lines allowed end in a count of the rest")
    func bounded() {
        let status = LiveStatus(settled: 0, total: 9, cached: 0, failed: 0, elapsed: 5, eta: .unknown(missing: ["train"]),
                                running: (1...4).map { .init(name: "train[\($0)]", elapsed: Double($0)) })
        #expect(status.lines(width: 80, maxRunning: 2) == [
            "[0 of 9 stages done (0 cached, 0 failed)] 5.0s elapsed, ETA —",
            "    4.0s train[4]",
            "    3.0s train[3]",
            "  … and 2 more running",
        ])
    }

    @Test("progress goes to the stage its key names, only while that stage runs")
    func progressByKey() {
        var r = LiveRun(stages: [
            .init(key: "a", name: "train[w=1]", kind: "train", stored: false),
            .init(key: "b", name: "train[w=1]x", kind: "train", stored: false),
        ], jobs: 2, start: Self.at(0))
        r.started("a", at: Self.at(0))
        let beforeStart = r.progress("b", "epoch 1/3")
        #expect(!beforeStart, "b is not running")
        let toA = r.progress("a", "epoch 1/3 step 5/10")
        r.started("b", at: Self.at(0))
        let toB = r.progress("b", "epoch 2/3")
        #expect(toA && toB)
        #expect(r.status(now: Self.at(1)).running.sorted { $0.name < $1.name }.map(\.detail) == ["epoch 1/3 step 5/10", "epoch 2/3"])
        r.ended("a", .computed(seconds: 1))
        let afterEnd = r.progress("a", "epoch 3/3")
        #expect(!afterEnd, "a has ended")
    }

    @Test("a stage ends once: a repeated or unknown ending is not counted")
    func endsOnce() {
        var r = LiveRun(stages: [.init(key: "a", name: "train[a]", kind: "train", stored: false),
                                 .init(key: "b", name: "train[b]", kind: "train", stored: false)], jobs: 1, start: Self.at(0))
        let first = r.ended("a", .failed), again = r.ended("a", .failed), unknown = r.ended("zz", .cached)
        #expect(first && !again && !unknown)
        #expect((r.settled, r.total, r.cached, r.failed) == (1, 2, 0, 1))
    }

    @Test("durations and ETAs print short, never negative, capped when absurd", arguments: [
        (-5.0, "0.0s"), (4.25, "4.2s"), (42.9, "42s"), (182, "3m02s"), (3900, "1h05m"), (1e9, ">99h"),
    ])
    func durations(_ seconds: Double, _ text: String) {
        #expect(LiveStatus.duration(seconds) == text)
    }

    @Test("the ETA says what is known")
    func etaText() {
        #expect(LiveStatus.eta(.seconds(250)) == "ETA 4m10s")
        #expect(LiveStatus.eta(.atLeast(250, excluding: ["report"])) == "ETA ≥4m10s")
        #expect(LiveStatus.eta(.unknown(missing: ["train"])) == "ETA —")
    }
}
