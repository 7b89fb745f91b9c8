import Foundation
import Testing
@testable import Reports

/// The block analysis drawn as ID against the number of points, with plateaus called out.
@Suite("ID against sample size")
struct ScaleFigureTests {
    /// `h1` is flat (a plateau), `h2` still grows with N (none).
    static func input() -> ReportInput {
        let flat = [ReportInput.Block(size: 1000, mean: 10.0, std: 0), .init(size: 500, mean: 9.8, std: 0.3), .init(size: 250, mean: 9.5, std: 0.4)]
        let rising = [ReportInput.Block(size: 1000, mean: 20.0, std: 0), .init(size: 500, mean: 16.0, std: 0.5), .init(size: 250, mean: 12.0, std: 0.9)]
        let estimates = [
            ReportInput.Estimate(point: 0, epoch: 0, layer: "h1", layerIndex: 1, estimator: "twonn", value: 9.0, blocks: flat),
            ReportInput.Estimate(point: 0, epoch: 2, layer: "h1", layerIndex: 1, estimator: "twonn", value: 10.0, blocks: flat),
            ReportInput.Estimate(point: 0, epoch: 2, layer: "h2", layerIndex: 2, estimator: "twonn", value: 20.0, blocks: rising),
            ReportInput.Estimate(point: 0, epoch: 2, layer: "h2", layerIndex: 2, estimator: "pr", value: 5.0),
        ]
        return ReportInput(name: "scale", points: [.init(index: 0, label: "base")], estimates: estimates)
    }

    @Test("one line per layer at the last epoch, markers at the block means on a log axis, plateaus called out")
    func figure() throws {
        let figure = try #require(Figures.all(for: Self.input()).first { $0.name == "id-by-sample-size" })
        let inspector = try FigureInspector(figure.svg)
        #expect(inspector.panels.count == 1, "only twonn ran its block analysis")
        let panel = try #require(inspector.panels.first)
        #expect(panel.node["data-x-scale"] == "log")
        #expect(panel.notes == ["no plateau: h2"])
        let series = inspector.root.all(class: "series")
        #expect(series.map { $0["data-layer"] } == ["h1", "h2"])
        #expect(series.map { $0["data-plateau"] } == ["yes", "no"])
        let h2 = panel.markers.filter { $0.series("data-layer") == "h2" }
        #expect(h2.map(\.dataX) == [250, 500, 1000])
        #expect(h2.map(\.dataY) == [12.0, 16.0, 20.0])
        FigureTests.checkGeometry(inspector)
        #expect(figure.caption.contains("10 %"))
    }

    @Test("the plateau rule compares the two largest block sizes")
    func rule() {
        #expect(Figures.plateau([.init(size: 100, mean: 10, std: 0), .init(size: 50, mean: 9.2, std: 0)]) == true)
        #expect(Figures.plateau([.init(size: 100, mean: 10, std: 0), .init(size: 50, mean: 8.9, std: 0)]) == false)
        #expect(Figures.plateau([.init(size: 100, mean: 10, std: 0)]) == nil)
    }

    @Test("no block analysis, no figure")
    func absent() {
        #expect(!Figures.all(for: SampleData.sweep()).contains { $0.name == "id-by-sample-size" })
    }
}
