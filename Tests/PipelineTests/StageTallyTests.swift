import Testing
@testable import Pipeline
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
}
