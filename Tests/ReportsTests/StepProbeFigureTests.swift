import Foundation
import Testing
@testable import Reports

/// `id-by-step-<estimator>`: drawn only for step probes, which leave every figure by epoch alone.
@Suite("Figure by optimizer step")
struct StepProbeFigureTests {
    static let steps = [0, 5, 20, 50]

    /// The sample sweep plus step-probe rows for every point, layer and estimator.
    static func input() -> ReportInput {
        var input = SampleData.sweep()
        let epochRows = input.estimates
        for row in epochRows where row.epoch == 0 {
            for step in steps {
                var r = row
                r.step = step
                r.epoch = (step + 9) / 10
                r.value = row.value.map { $0 + Double(step) / 10 + Double(row.layerIndex) }
                input.estimates.append(r)
            }
        }
        return input
    }

    @Test("the figures by epoch are byte for byte the same with and without step rows")
    func epochFiguresUnchanged() {
        let without = Figures.all(for: SampleData.sweep())
        let with = Figures.all(for: Self.input())
        #expect(!without.contains { $0.name.hasPrefix("id-by-step") })
        #expect(with.filter { !$0.name.hasPrefix("id-by-step") } == without)
    }

    @Test("one figure per estimator; each panel draws one line per layer through the step rows' values")
    func stepFigure() throws {
        let input = Self.input()
        let figures = Figures.all(for: input).filter { $0.name.hasPrefix("id-by-step-") }
        #expect(figures.map(\.name) == SampleData.estimators.map { "id-by-step-\($0)" })
        let figure = try #require(figures.first)
        let inspector = try FigureInspector(figure.svg)
        FigureTests.checkGeometry(inspector)
        #expect(inspector.panels.count == input.points.count)
        let expected = input.estimates.filter { $0.step != nil && $0.estimator == SampleData.estimators[0] && $0.point == input.points[0].index }
        let panel = try #require(inspector.panels.first)
        let drawn = panel.markers.map { [$0.dataX, $0.dataY] }
        #expect(drawn.count == expected.count)
        for row in expected {
            let value = try #require(row.value)
            #expect(drawn.contains { $0[0] == Double(row.step!) && abs($0[1] - value) < 1e-9 }, "step \(row.step!) \(row.layer)")
        }
    }
}
