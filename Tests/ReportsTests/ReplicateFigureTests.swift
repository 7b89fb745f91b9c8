import Foundation
import Testing
@testable import Reports

/// Figures of replicated runs: means with confidence bands, n on every panel, error bars
/// labelled for what they measure, and no figure that says nothing.
@Suite("Figures of replicated runs")
struct ReplicateFigureTests {
    static let layers = ["input", "h1", "h2", "logits"]
    /// t quantile 0.975 with 2 degrees of freedom.
    static let t2 = 4.302652729911275

    /// Configuration 0 (`width=64`) has three replicates; configuration 1 (`width=128`) one.
    static func input() -> ReportInput {
        var points: [ReportInput.Point] = []
        var estimates: [ReportInput.Estimate] = []
        var summaries: [ReportInput.Summary] = []
        var index = 0
        for (c, (width, replicates)) in [("64", 3), ("128", 1)].enumerated() {
            var values: [String: [Double]] = [:]
            for r in 0..<replicates {
                points.append(ReportInput.Point(index: index, label: "width=\(width),seed=\(r + 1)",
                                                assignments: ["model.width": width, "train.seed": "\(r + 1)"],
                                                testAccuracy: 0.8 + 0.01 * Double(index),
                                                configuration: c, configurationLabel: "width=\(width)"))
                for epoch in [0, 3] {
                    for (li, layer) in layers.enumerated() {
                        let value = Double(10 + li) - Double(epoch) * 0.5 * Double(li) + 0.3 * Double(r) + Double(c)
                        estimates.append(.init(point: index, epoch: epoch, layer: layer, layerIndex: li, estimator: "twonn",
                                               value: value, error: 0.25))
                        values["\(epoch)/\(li)", default: []].append(value)
                    }
                }
                index += 1
            }
            for epoch in [0, 3] {
                for (li, layer) in layers.enumerated() {
                    let v = values["\(epoch)/\(li)"] ?? []
                    let mean = v.reduce(0, +) / Double(v.count)
                    if v.count > 1 {
                        let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
                        let half = t2 * sd / Double(v.count).squareRoot()
                        summaries.append(.init(configuration: c, epoch: epoch, layer: layer, layerIndex: li, estimator: "twonn",
                                               n: v.count, mean: mean, sd: sd, ciLow: mean - half, ciHigh: mean + half))
                    } else {
                        summaries.append(.init(configuration: c, epoch: epoch, layer: layer, layerIndex: li, estimator: "twonn",
                                               n: 1, mean: mean))
                    }
                }
            }
        }
        return ReportInput(name: "replicated", points: points, estimates: estimates, summaries: summaries)
    }

    @Test("id-by-layer draws the replicate mean with its 95 % CI band, and says n on every panel")
    func bands() throws {
        let input = Self.input()
        let figure = try #require(Figures.all(for: input).first { $0.name == "id-by-layer" })
        let inspector = try FigureInspector(figure.svg)
        #expect(inspector.panels.count == 2)
        let replicated = try #require(inspector.panels.first { $0.node["data-configuration"] == "0" })
        let single = try #require(inspector.panels.first { $0.node["data-configuration"] == "1" })
        #expect(replicated.notes == ["n = 3 replicates"])
        #expect(single.notes == ["n = 1"])
        // Means, not single replicates, are drawn; the band holds the summary's interval.
        for marker in replicated.markers {
            let epoch = try #require(Int(marker.series("data-epoch") ?? ""))
            let row = try #require(input.summaries.first { $0.configuration == 0 && $0.epoch == epoch && Double($0.layerIndex) == marker.dataX })
            #expect(abs(marker.dataY - row.mean) < 1e-12)
            #expect(marker.error == nil)
        }
        let bands = replicated.node.all(class: "band")
        #expect(bands.count == 2)
        for band in bands {
            let epoch = try #require(Int(band.ancestor(class: "series")?["data-epoch"] ?? ""))
            for triple in (band["data-band"] ?? "").split(separator: " ") {
                let parts = triple.split(separator: ":").compactMap { Double($0) }
                let row = try #require(input.summaries.first { $0.configuration == 0 && $0.epoch == epoch && Double($0.layerIndex) == parts[0] })
                #expect(abs(parts[1] - (row.ciLow ?? .nan)) < 1e-12 && abs(parts[2] - (row.ciHigh ?? .nan)) < 1e-12)
            }
        }
        // The band lies inside the y range.
        for row in input.summaries where row.configuration == 0 {
            #expect(replicated.y.covers(row.ciLow ?? .nan) && replicated.y.covers(row.ciHigh ?? .nan))
        }
        // n = 1: the estimator's own error bar, no band.
        #expect(single.node.all(class: "band").isEmpty)
        #expect(single.node.all(class: "error-bar").count == 2 * Self.layers.count)
        // The legend says what bands and error bars measure.
        let labels = inspector.root.all(class: "legend-entry").compactMap { $0["data-label"] }
        #expect(labels.contains("95 % CI across replicates (Student t)"))
        #expect(labels.contains("n = 1: ± probe-subsample spread"))
        #expect(figure.caption.contains("confidence intervals across replicates"))
    }

    @Test("replicate seeds are not a sweep axis; the width overlay shows the CI band of each configuration")
    func sweepOverlay() throws {
        let figures = Figures.all(for: Self.input())
        #expect(!figures.contains { $0.name == "id-sweep-train-seed" })
        let figure = try #require(figures.first { $0.name == "id-sweep-model-width" })
        let inspector = try FigureInspector(figure.svg)
        let series = inspector.root.all(class: "series")
        #expect(series.first { $0["data-value"] == "64" }?.all(class: "band").count == 1)
        #expect(series.first { $0["data-value"] == "128" }?.all(class: "band").isEmpty == true)
        #expect(figure.caption.contains("95 % confidence band"))
    }

    @Test("figures that would say nothing are left out")
    func nothingToSay() throws {
        let names = Figures.all(for: Self.input()).map(\.name)
        // Two configurations: no rank correlation; two probed epochs: no separate "during training" figure;
        // no metrics: no training curves.
        #expect(names == ["id-by-layer", "id-sweep-model-width"])
    }

    @Test("epoch axes of training curves have whole-number ticks")
    func integerEpochTicks() throws {
        var input = Self.input()
        input.metrics = (0..<2).flatMap { p in (1...3).map { ReportInput.EpochMetrics(point: p, epoch: $0, trainLoss: 1, testAccuracy: 0.5) } }
        let figure = try #require(Figures.all(for: input).first { $0.name == "training-curves" })
        let inspector = try FigureInspector(figure.svg)
        for panel in inspector.panels {
            #expect(!panel.tickLabels.x.isEmpty)
            #expect(panel.tickLabels.x.allSatisfy { Int($0) != nil }, "\(panel.tickLabels.x)")
        }
        // A single epoch draws no curve.
        input.metrics = input.metrics.filter { $0.epoch == 1 }
        #expect(!Figures.all(for: input).contains { $0.name == "training-curves" })
    }
}

@Suite("Report tables of replicated runs")
struct ReplicateTableTests {
    @Test("the HTML report lists each configuration's n and its mean with the 95 % CI from the summaries")
    func configurationTable() throws {
        let input = ReplicateFigureTests.input()
        let root = try XMLDocument.parse(HTMLReport.render(input, figures: []))
        let table = try #require(root.all("table").first { $0["class"] == "configurations" })
        let rows = table.all("tr").filter { $0["data-configuration"] != nil }
        #expect(rows.count == 2)
        let cells = rows[0].all("td").map(\.allText)
        #expect(cells[0] == "width=64" && cells[1] == "3")
        // Last hidden layer (h2, index 2) at epoch 3.
        let s = try #require(input.summaries.first { $0.configuration == 0 && $0.epoch == 3 && $0.layerIndex == 2 })
        #expect(cells[2] == "\(Format.measurement(s.mean)) [\(Format.measurement(s.ciLow)), \(Format.measurement(s.ciHigh))]")
        #expect(rows[1].all("td").map(\.allText)[1] == "1")
        // Without replicates there is no such table.
        let plain = try XMLDocument.parse(HTMLReport.render(SampleData.sweep(), figures: []))
        #expect(!plain.all("table").contains { $0["class"] == "configurations" })
    }
}

@Suite("Probe-size warning in one report")
struct ProbeSizeReportTests {
    @Test("a swept probe.size is called out in the HTML and terminal reports; one size is not")
    func sweptProbeSize() throws {
        var input = ReplicateFigureTests.input()
        for i in input.points.indices { input.points[i].assignments["probe.size"] = i == 0 ? "500" : "2000" }
        let html = HTMLReport.render(input, figures: [])
        #expect(html.contains("<p class=\"warning\" role=\"note\">probe.size differs across run points (500, 2000)"))
        #expect(TerminalReport.render(input).contains("warning: probe.size differs across run points (500, 2000)"))
        let plain = ReplicateFigureTests.input()
        #expect(!HTMLReport.render(plain, figures: []).contains("class=\"warning\""))
    }
}

@Suite("Noise axis names its quantity")
struct NoiseAxisTests {
    @Test("the noise scatter says temperature η·tr Σ_B or trace tr Σ_B, whichever the bundle recorded")
    func label() throws {
        var input = SampleData.sweep()
        func axisLabel(_ input: ReportInput) throws -> String {
            let figure = try #require(Figures.all(for: input).first { $0.name == "final-id-vs-noise-scale" })
            let inspector = try FigureInspector(figure.svg)
            return try #require(inspector.panels.first?.node.all(class: "axis-label").first?.allText)
        }
        #expect(try axisLabel(input) == "SGD noise scale (last recorded epoch)")
        for i in input.points.indices { input.points[i].noiseMeasure = .temperature }
        #expect(try axisLabel(input) == "SGD noise temperature η·tr Σ_B (last recorded epoch)")
        for i in input.points.indices { input.points[i].noiseMeasure = .trace }
        #expect(try axisLabel(input) == "gradient noise tr Σ_B (last recorded epoch)")
    }
}
