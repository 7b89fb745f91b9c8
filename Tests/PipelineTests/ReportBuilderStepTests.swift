import Claims
import Foundation
import Reports
import ResultBundles
import Testing
@testable import Pipeline

/// The report input of an aggregate with step probes: their statistics across replicates keep
/// their step, so the figure by step can draw means and bands.
@Suite("Report input of step probes")
struct ReportBuilderStepTests {
    @Test("step rows get summary rows of their own, keyed by step, with the Student-t interval of the replicates")
    func stepSummaries() throws {
        let points = (0..<3).map { AggregateRecord.Point(index: $0, label: "seed=\($0)", values: ["\($0)"], configuration: 0, replicate: $0) }
        var rows: [ResultRow] = []
        for p in 0..<3 {
            // Epoch 1 and step 5 (inside epoch 1) must not share a summary row.
            rows.append(ResultRow(point: p, label: "seed=\(p)", epoch: 1, layer: "h1", layerIndex: 1, estimator: "pr",
                                  value: 10 + Double(p), n: 100, dimension: 32, seconds: 0))
            rows.append(ResultRow(point: p, label: "seed=\(p)", epoch: 1, layer: "h1", layerIndex: 1, estimator: "pr",
                                  value: 20 + 2 * Double(p), n: 100, dimension: 32, seconds: 0, step: 5))
        }
        let aggregate = AggregateRecord(sweptPaths: ["train.seed"], points: points, rows: rows, metrics: [], datasets: [:], missing: [])
        let input = ReportBuilder.input(aggregate: aggregate, name: "t", description: "", resolvedSpec: nil, provenance: [], missing: [])
        #expect(input.summaries.count == 2)
        let epoch = try #require(input.summaries.first { $0.step == nil })
        let step = try #require(input.summaries.first { $0.step == 5 })
        #expect(epoch.epoch == 1 && epoch.n == 3 && epoch.mean == 11)
        #expect(step.epoch == 1 && step.n == 3 && step.mean == 22)
        // Values 20, 22, 24: s = 2, half-width t(0.975, 2) · 2 / √3.
        let half = 4.302652729911275 * 2 / 3.0.squareRoot()
        #expect(abs((step.ciLow ?? .nan) - (22 - half)) < 1e-9 && abs((step.ciHigh ?? .nan) - (22 + half)) < 1e-9)
    }
}
