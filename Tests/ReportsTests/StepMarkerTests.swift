import Foundation
import Testing
@testable import Reports

/// Profiles that probe inside stages draw linear steps hollow and nonlinear ones filled.
@Suite("Linear and nonlinear steps in profiles")
struct StepMarkerTests {
    static let layers = ["input", "h1.pre", "h1", "h2.pre", "h2", "logits"]

    /// One point, two estimators, every probe point of a depth-2 MLP, before and after training:
    /// the dense layers lower the ID, the ReLUs raise it. Three probed epochs, so the
    /// during-training figure is drawn too.
    static func sawTooth() -> ReportInput {
        var estimates: [ReportInput.Estimate] = []
        for epoch in [0, 1, 3] {
            for estimator in ["pr", "twonn"] {
                for (i, layer) in layers.enumerated() {
                    let value = 10 + Double(i) - (layer.hasSuffix(".pre") ? 4 : 0) - Double(epoch)
                    estimates.append(.init(point: 0, epoch: epoch, layer: layer, layerIndex: i, estimator: estimator, value: value, error: nil))
                }
            }
        }
        return ReportInput(name: "steps", points: [.init(index: 0, label: "base", testAccuracy: 0.8)], estimates: estimates)
    }

    @Test("id-by-layer and id-by-epoch: hollow markers at .pre and logits, filled elsewhere, explained in legend and caption",
          arguments: ["id-by-layer", "id-by-epoch-pr"])
    func markers(figure name: String) throws {
        let figure = try #require(Figures.all(for: Self.sawTooth()).first { $0.name == name })
        let inspector = try FigureInspector(figure.svg)
        var seen: Set<String> = []
        for marker in inspector.panels.flatMap(\.markers) {
            let layer = Self.layers[Int(marker.dataX)]
            let hollow = marker.node["fill"] == "#ffffff"
            #expect(hollow == (layer.hasSuffix(".pre") || layer == "logits"), "\(name): \(layer) fill \(marker.node["fill"] ?? "")")
            seen.insert(layer)
        }
        #expect(seen == Set(Self.layers))
        #expect(figure.svg.contains("linear step (.pre, .bn, .sum, pool, logits)"))
        #expect(figure.svg.contains("after a nonlinearity"))
        #expect(figure.caption.contains("Hollow markers are outputs of a linear step"))
    }

    @Test("profiles of stage outputs only keep hollow markers for the first epoch and no step legend")
    func withoutInnerPoints() throws {
        let figure = try #require(Figures.all(for: SampleData.tiny()).first { $0.name == "id-by-layer" })
        let inspector = try FigureInspector(figure.svg)
        for marker in inspector.panels.flatMap(\.markers) {
            #expect((marker.node["fill"] == "#ffffff") == (marker.series("data-epoch") == "0"))
        }
        #expect(!figure.svg.contains("linear step"))
        #expect(!figure.caption.contains("Hollow markers are outputs"))
    }

    @Test("the step rule reads the engine's names")
    func names() {
        #expect(Figures.marksSteps(["input", "conv1", "block1.sum", "block1"]))
        #expect(!Figures.marksSteps(["input", "conv1", "block1", "pool", "logits"]))
        #expect(["h1.pre", "conv1.bn", "block2.sum", "pool", "logits"].allSatisfy(Figures.isLinearStep))
        #expect(!["input", "h1", "conv1.act", "conv1", "block2"].contains(where: Figures.isLinearStep))
    }
}
