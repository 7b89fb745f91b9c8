import Foundation
import Testing
@testable import Reports

/// `id-by-step-<estimator>` of replicated runs: the mean across training replicates with its
/// Student-t band, n on every panel, as `id-by-layer` draws them for epochs.
@Suite("Figure by optimizer step of replicated runs")
struct ReplicateStepFigureTests {
    static let steps = [0, 4, 16]

    /// ``ReplicateFigureTests/input()`` plus step-probe rows for every point and layer, with the
    /// summaries the pipeline writes for them (keyed by step; step 16 falls in epoch 2, which has
    /// no epoch probe, and step 0 shares epoch 0 with one).
    static func input() -> ReportInput {
        var input = ReplicateFigureTests.input()
        var values: [String: [Double]] = [:]
        for point in input.points {
            let c = point.configuration ?? -1
            let r = Double(point.index)
            for step in steps {
                for (li, layer) in ReplicateFigureTests.layers.enumerated() {
                    let value = 20 + Double(li) - Double(step) * 0.1 * Double(li) + 0.7 * r * r + Double(c)
                    input.estimates.append(.init(point: point.index, epoch: (step + 7) / 8, layer: layer, layerIndex: li,
                                                 estimator: "twonn", value: value, error: 0.5, step: step))
                    values["\(c)/\(step)/\(li)", default: []].append(value)
                }
            }
        }
        for c in [0, 1] {
            for step in steps {
                for (li, layer) in ReplicateFigureTests.layers.enumerated() {
                    let v = values["\(c)/\(step)/\(li)"] ?? []
                    let mean = v.reduce(0, +) / Double(v.count)
                    if v.count > 1 {
                        let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
                        let half = ReplicateFigureTests.t2 * sd / Double(v.count).squareRoot()
                        input.summaries.append(.init(configuration: c, epoch: (step + 7) / 8, layer: layer, layerIndex: li,
                                                     estimator: "twonn", n: v.count, mean: mean, sd: sd,
                                                     ciLow: mean - half, ciHigh: mean + half, step: step))
                    } else {
                        input.summaries.append(.init(configuration: c, epoch: (step + 7) / 8, layer: layer, layerIndex: li,
                                                     estimator: "twonn", n: 1, mean: mean, step: step))
                    }
                }
            }
        }
        return input
    }

    @Test("id-by-step draws the replicate mean with its 95 % CI band from the step summaries, and says n on every panel")
    func bands() throws {
        let input = Self.input()
        let figure = try #require(Figures.all(for: input).first { $0.name == "id-by-step-twonn" })
        let inspector = try FigureInspector(figure.svg)
        FigureTests.checkGeometry(inspector)
        #expect(inspector.panels.count == 2)
        let replicated = try #require(inspector.panels.first { $0.node["data-configuration"] == "0" })
        let single = try #require(inspector.panels.first { $0.node["data-configuration"] == "1" })
        #expect(replicated.notes == ["n = 3 replicates"])
        #expect(single.notes == ["n = 1"])
        func stepRow(_ layer: String, _ step: Double) -> ReportInput.Summary? {
            input.summaries.first { $0.configuration == 0 && $0.step.map { Double($0) } == step && $0.layer == layer }
        }
        // One marker per layer and step, at the mean across replicates, without an error bar.
        #expect(replicated.markers.count == ReplicateFigureTests.layers.count * Self.steps.count)
        for marker in replicated.markers {
            let row = try #require(stepRow(marker.series("data-layer") ?? "", marker.dataX))
            #expect(abs(marker.dataY - row.mean) < 1e-12)
            #expect(marker.error == nil)
        }
        // The band of every layer holds the step summary's interval at every step.
        let bands = replicated.node.all(class: "band")
        #expect(bands.count == ReplicateFigureTests.layers.count)
        for band in bands {
            let layer = band.ancestor(class: "series")?["data-layer"] ?? ""
            let triples = (band["data-band"] ?? "").split(separator: " ")
            #expect(triples.count == Self.steps.count)
            for triple in triples {
                let parts = triple.split(separator: ":").compactMap { Double($0) }
                let row = try #require(stepRow(layer, parts[0]))
                #expect(abs(parts[1] - (row.ciLow ?? .nan)) < 1e-12 && abs(parts[2] - (row.ciHigh ?? .nan)) < 1e-12)
                // The epoch summary of the same cell is a different number: the step one was read.
                #expect(row.ciLow != input.summaries.first { $0.configuration == 0 && $0.step == nil && $0.layer == layer }?.ciLow)
            }
        }
        // n = 1: the single run's value and its own error bar, no band.
        #expect(single.node.all(class: "band").isEmpty)
        #expect(single.node.all(class: "error-bar").count == ReplicateFigureTests.layers.count * Self.steps.count)
        let labels = inspector.root.all(class: "legend-entry").compactMap { $0["data-label"] }
        #expect(labels.contains("95 % CI across replicates (Student t)"))
        #expect(labels.contains("n = 1: ± probe-subsample spread"))
        #expect(figure.caption.contains("confidence intervals across replicates"))
    }

    @Test("step summaries leave the figures by epoch as they were")
    func epochFiguresUnchanged() {
        let with = Figures.all(for: Self.input()).filter { !$0.name.hasPrefix("id-by-step") }
        #expect(with == Figures.all(for: ReplicateFigureTests.input()))
    }
}
