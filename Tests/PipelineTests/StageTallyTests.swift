import Foundation
import Testing
@testable import Pipeline
import Reports
import ResultBundles

/// The line of each finished stage, worded from the executor's events.
@Suite("Stage lines from events")
struct StageTallyTests {
    @Test("counts, names, outcomes and the stages still running; no line for a skipped stage")
    func lines() {
        var tally = StageTally()
        let planned = ["a", "b", "c", "d"].map { PlannedStage(key: $0, name: "stage[\($0)]", kind: .estimate, variant: nil, stored: false) }
        #expect(tally.apply(.planned(planned, jobs: 2)) == nil)
        #expect(tally.apply(.started(key: "a")) == nil && tally.apply(.started(key: "c")) == nil)
        #expect(tally.runningNames == ["stage[a]", "stage[c]"])
        #expect(tally.apply(.ended(key: "a", outcome: .done(seconds: 1.25)))?.line == "[1 of 4 stages done (0 cached, 0 failed)] stage[a]: done in 1.2s")
        #expect(tally.apply(.ended(key: "b", outcome: .cached))?.line == "[2 of 4 stages done (1 cached, 0 failed)] stage[b]: cached")
        #expect(tally.runningNames == ["stage[c]"])
        #expect(tally.apply(.ended(key: "c", outcome: .failed("loss is nan")))?.line
                == "[3 of 4 stages done (1 cached, 1 failed)] stage[c]: failed — loss is nan")
        #expect(tally.apply(.ended(key: "d", outcome: .skipped("input stage[c] did not complete"))) == nil)
        #expect(tally.runningNames.isEmpty && tally.apply(.finished) == nil)
    }

    @Test("the lines and the live status count from the same run: a repeated ending gets no line and no count")
    func oneCounter() throws {
        var tally = StageTally()
        let planned = ["a", "b"].map { PlannedStage(key: $0, name: "train[\($0)]", kind: .train, variant: nil, stored: false) }
        _ = tally.apply(.planned(planned, jobs: 1), at: Date(timeIntervalSince1970: 0))
        _ = tally.apply(.started(key: "a"), at: Date(timeIntervalSince1970: 0))
        let first = tally.apply(.ended(key: "a", outcome: .failed("loss is nan")))
        let again = tally.apply(.ended(key: "a", outcome: .failed("loss is nan")))
        #expect(first?.line == "[1 of 2 stages done (0 cached, 1 failed)] train[a]: failed — loss is nan")
        #expect(again == nil)
        let status = try #require(tally.run).status(now: Date(timeIntervalSince1970: 5))
        #expect((status.settled, status.total, status.cached, status.failed) == (1, 2, 0, 1))
        let cached = tally.apply(.ended(key: "b", outcome: .cached))
        #expect(cached?.line == "[2 of 2 stages done (1 cached, 1 failed)] train[b]: cached")
    }

    @Test("training progress reaches the running stage its key names, even when another running stage's name starts the same")
    func progressByKey() throws {
        var tally = StageTally()
        let planned = [("k1", "train[w=1]"), ("k2", "train[w=1]x")].map {
            PlannedStage(key: $0.0, name: $0.1, kind: .train, variant: nil, stored: false)
        }
        func update(_ key: String, _ name: String, step: Int) -> TrainingUpdate {
            TrainingUpdate(key: key, name: name, epoch: 1, epochs: 2, step: step, steps: 10, loss: 0.5, samplesPerSecond: 100)
        }
        let unplanned = tally.progress(update("k1", "train[w=1]", step: 1))
        #expect(!unplanned, "no run planned yet")
        _ = tally.apply(.planned(planned, jobs: 2), at: Date(timeIntervalSince1970: 0))
        _ = tally.apply(.started(key: "k1"), at: Date(timeIntervalSince1970: 0))
        let notStarted = tally.progress(update("k2", "train[w=1]x", step: 3))
        #expect(!notStarted, "k2 has not started")
        _ = tally.apply(.started(key: "k2"), at: Date(timeIntervalSince1970: 1))
        let toK2 = tally.progress(update("k2", "train[w=1]x", step: 4))
        let toK1 = tally.progress(update("k1", "train[w=1]", step: 7))
        #expect(toK2 && toK1)
        let running = try #require(tally.run).status(now: Date(timeIntervalSince1970: 2)).running.sorted { $0.name < $1.name }
        #expect(running.map(\.name) == ["train[w=1]", "train[w=1]x"])
        #expect(running.map(\.detail) == ["epoch 1/2 step 7/10 loss 0.5000, 100 samples/s", "epoch 1/2 step 4/10 loss 0.5000, 100 samples/s"])
    }

    @Test("a progress line keeps its wording: name, epoch, step, loss and rate")
    func progressLine() {
        let u = TrainingUpdate(key: "k", name: "train[lr=0.1]", epoch: 3, epochs: 10, step: 120, steps: 937, loss: 0.41234,
                               samplesPerSecond: 3012)
        #expect(u.line == "  train[lr=0.1] epoch 3/10 step 120/937 loss 0.4123, 3012 samples/s")
    }
}
