import Foundation
import Testing
@testable import Reports

@Suite("Figures")
struct FigureTests {
    static let sweep = SampleData.sweep()
    static let sweepFigures = Figures.all(for: sweep)

    static func figure(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> FigureInspector {
        let figure = try #require(sweepFigures.first { $0.name == name }, "no figure \(name)", sourceLocation: sourceLocation)
        return try FigureInspector(figure.svg, sourceLocation: sourceLocation)
    }

    /// Checks shared by every figure: markers invert to their values within a pixel and sit inside
    /// the plot; the axes' domains cover every value and error bar; ticks lie inside the domain.
    static func checkGeometry(_ inspector: FigureInspector, sourceLocation: SourceLocation = #_sourceLocation) {
        for panel in inspector.panels {
            for marker in panel.markers {
                #expect(marker.dataX.isFinite && marker.dataY.isFinite, sourceLocation: sourceLocation)
                #expect(abs(panel.x.value(marker.centre.x) - marker.dataX) <= panel.x.onePixel(at: marker.dataX),
                        "x of marker \(marker.dataX) drawn at \(marker.centre.x)", sourceLocation: sourceLocation)
                #expect(abs(panel.y.value(marker.centre.y) - marker.dataY) <= panel.y.onePixel(at: marker.dataY),
                        "y of marker \(marker.dataY) drawn at \(marker.centre.y)", sourceLocation: sourceLocation)
                #expect(panel.x.pixelInside(marker.centre.x) && panel.y.pixelInside(marker.centre.y),
                        "marker (\(marker.dataX), \(marker.dataY)) outside the plot", sourceLocation: sourceLocation)
                let error = marker.error ?? 0
                #expect(panel.x.covers(marker.dataX), sourceLocation: sourceLocation)
                #expect(panel.y.covers(marker.dataY - error) && panel.y.covers(marker.dataY + error),
                        "y domain \(panel.y.domain) misses \(marker.dataY) ± \(error)", sourceLocation: sourceLocation)
            }
            for tick in panel.node.all(class: "tick") {
                let value = Double(tick["data-value"] ?? "") ?? .nan
                let axis = tick.ancestor(class: "x-axis") != nil ? panel.x : panel.y
                #expect(axis.covers(value) || abs(value - axis.domain.0) < 1e-9 || abs(value - axis.domain.1) < 1e-9,
                        "tick \(value) outside \(axis.domain)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test("the sample sweep yields each kind of figure, named for its file")
    func figureNames() {
        #expect(Self.sweepFigures.map(\.name) == [
            "id-by-layer", "id-by-epoch-pr", "id-by-epoch-twonn", "id-by-epoch-mle",
            "id-sweep-model-width", "id-sweep-train-lr", "id-sweep-train-seed",
            "final-id-vs-accuracy", "final-id-vs-noise-scale", "training-curves",
        ])
        #expect(Self.sweepFigures.allSatisfy { !$0.caption.isEmpty && !$0.title.isEmpty })
    }

    @Test("every figure parses as SVG, its markers invert to their data and its axes cover the data")
    func wellFormedAndFaithful() throws {
        for figure in Self.sweepFigures {
            let inspector = try FigureInspector(figure.svg)
            #expect(!inspector.panels.isEmpty, "\(figure.name) has no panels")
            #expect(inspector.panels.contains { !$0.markers.isEmpty }, "\(figure.name) draws no markers")
            Self.checkGeometry(inspector)
        }
    }

    @Test("no horizontal text runs off the canvas", arguments: SampleData.edgeCases() + [SampleData.EdgeCase(id: "sample sweep", input: sweep)])
    func textStaysOnCanvas(_ edge: SampleData.EdgeCase) throws {
        for figure in Figures.all(for: edge.input) {
            let root = try XMLDocument.parse(figure.svg)
            let width = try #require(Double(root["width"] ?? ""))
            for text in root.all("text") where text["transform"] == nil {
                let x = Double(text["x"] ?? "") ?? .nan
                let extent = Style.textWidth(text.allText, size: Double(text["font-size"] ?? "") ?? Style.tickFont)
                let (left, right): (Double, Double) = switch text["text-anchor"] {
                case "end": (x - extent, x)
                case "middle": (x - extent / 2, x + extent / 2)
                default: (x, x + extent)
                }
                #expect(left >= 0 && right <= width, "\(figure.name): '\(text.allText)' spans \(left)…\(right) of \(width)")
            }
        }
    }

    @Test("id-by-layer draws every estimate of the first and last probed epoch, and nothing else")
    func idByLayerMatchesInput() throws {
        let inspector = try Self.figure("id-by-layer")
        var drawn: [String: (Double, Double?)] = [:]
        for panel in inspector.panels {
            for marker in panel.markers {
                let key = [marker.series("data-point"), marker.series("data-epoch"), marker.series("data-estimator"),
                           String(Int(marker.dataX))].map { $0 ?? "?" }.joined(separator: "/")
                #expect(drawn.updateValue((marker.dataY, marker.error), forKey: key) == nil, "drawn twice: \(key)")
            }
        }
        var expected: [String: (Double, Double?)] = [:]
        for point in Self.sweep.points {
            let epochs = Self.sweep.estimates.filter { $0.point == point.index }.map(\.epoch)
            guard let first = epochs.min(), let last = epochs.max() else { continue }
            for row in Self.sweep.estimates where row.point == point.index && (row.epoch == first || row.epoch == last) {
                guard let value = row.value else { continue }
                expected["\(row.point)/\(row.epoch)/\(row.estimator)/\(row.layerIndex)"] = (value, row.error)
            }
        }
        #expect(Set(drawn.keys) == Set(expected.keys))
        for (key, value) in expected {
            #expect(drawn[key]?.0 == value.0, "\(key)")
            #expect(drawn[key]?.1 == value.1, "\(key)")
        }
        // Before training dashed and hollow, after training solid.
        for series in inspector.root.all(class: "series") {
            let dashed = series.all("polyline").allSatisfy { $0["stroke-dasharray"] != nil }
            #expect(dashed == (series["data-epoch"] == "0"), "series \(series["data-series"] ?? "")")
        }
        // One panel per estimator × configuration (here every point is its own configuration).
        #expect(inspector.panels.count == Self.sweep.points.count * SampleData.estimators.count)
        for panel in inspector.panels { #expect(panel.notes == ["n = 1"] || panel.notes.first == "n = 1") }
    }

    @Test("id-by-layer gives each estimator its own y axis, shared across that estimator's panels")
    func sharedY() throws {
        let panels = try Self.figure("id-by-layer").panels
        var domains: [String: Set<String>] = [:]
        for panel in panels { domains[panel.node["data-estimator"] ?? "?", default: []].insert("\(panel.y.domain)") }
        #expect(Set(domains.keys) == Set(SampleData.estimators))
        #expect(domains.values.allSatisfy { $0.count == 1 })
        // PCA-sized and TwoNN-sized values no longer share one axis.
        #expect(Set(domains.values.map { $0.first ?? "" }).count == SampleData.estimators.count)
    }

    @Test("layer names label the x axis in layer order")
    func layerTicks() throws {
        for panel in try Self.figure("id-by-layer").panels {
            #expect(panel.tickLabels.x == SampleData.layers)
        }
    }

    @Test("error bars span value ± error and are drawn where the data gives one")
    func errorBars() throws {
        let inspector = try Self.figure("id-by-layer")
        var count = 0
        for panel in inspector.panels {
            for bar in panel.node.all(class: "error-bar") {
                count += 1
                let low = try #require(Double(bar["data-low"] ?? "")), high = try #require(Double(bar["data-high"] ?? ""))
                let ys = FigureInspector.numbers(in: bar["d"] ?? "")
                // d = "M x yLow V yHigh M … yLow h6 M … yHigh h6"
                #expect(abs(panel.y.value(ys[1]) - low) <= panel.y.onePixel(at: low))
                #expect(abs(panel.y.value(ys[2]) - high) <= panel.y.onePixel(at: high))
                #expect(panel.y.covers(low) && panel.y.covers(high))
            }
        }
        let expected = Self.sweep.estimates.filter { row in
            guard row.value != nil, row.error != nil else { return false }
            let epochs = Self.sweep.estimates.filter { $0.point == row.point }.map(\.epoch)
            return row.epoch == epochs.min() || row.epoch == epochs.max()
        }.count
        #expect(count == expected)
        #expect(count > 0)
    }

    @Test("the accuracy scatter prints Spearman's ρ computed from the input")
    func spearmanOnFigure() throws {
        let inspector = try Self.figure("final-id-vs-accuracy")
        for estimator in SampleData.estimators {
            let panel = try #require(inspector.panels.first { $0.node["data-estimator"] == estimator })
            var pairs: [(Double, Double)] = []
            for point in Self.sweep.points where !Self.sweep.failures.contains(where: { $0.point == point.index }) {
                let accuracy = try #require(point.testAccuracy)
                let rows = Self.sweep.estimates.filter { $0.point == point.index && $0.estimator == estimator }
                let epoch = rows.map(\.epoch).max() ?? -1
                // The last hidden layer: the deepest probed layer before the logits.
                let deepest = rows.filter { $0.epoch == epoch && $0.layer != "logits" }.map(\.layerIndex).max() ?? -1
                if let value = rows.first(where: { $0.epoch == epoch && $0.layerIndex == deepest })?.value {
                    pairs.append((accuracy, value))
                }
            }
            // No ties in continuous fake data: ρ = 1 − 6 Σ d² / (n (n² − 1)).
            func ranks(_ v: [Double]) -> [Double] { v.map { x in Double(v.filter { $0 < x }.count + 1) } }
            let rx = ranks(pairs.map(\.0)), ry = ranks(pairs.map(\.1))
            let n = Double(pairs.count)
            let d2 = zip(rx, ry).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            let rho = 1 - 6 * d2 / (n * (n * n - 1))
            #expect(panel.notes == ["Spearman ρ = \(String(format: "%.2f", rho)) (n = \(pairs.count))"])
            #expect(panel.markers.count == pairs.count)
            #expect(Set(panel.markers.map(\.dataX)) == Set(pairs.map(\.0)))
        }
    }

    @Test("a noise scale spanning decades gets a log axis that still inverts")
    func logNoiseAxis() throws {
        let input = SampleData.edgeCases().first { $0.id == "huge and tiny magnitudes" }!.input
        let figure = try #require(Figures.all(for: input).first { $0.name == "final-id-vs-noise-scale" })
        let inspector = try FigureInspector(figure.svg)
        let panel = try #require(inspector.panels.first)
        #expect(panel.node["data-x-scale"] == "log")
        #expect(Set(panel.markers.map(\.dataX)) == [1e-6, 1e-4, 1e-2])
        Self.checkGeometry(inspector)
        #expect(panel.tickLabels.x.contains("0.0001"))
    }

    @Test("training curves draw train and test for every point that has metrics")
    func trainingCurves() throws {
        let inspector = try Self.figure("training-curves")
        let accuracy = try #require(inspector.panels.first { $0.node["data-title"] == "accuracy" })
        for point in Self.sweep.points {
            let rows = Self.sweep.metrics.filter { $0.point == point.index }
            let test = accuracy.markers.filter { $0.series("data-point") == "\(point.index)" && $0.series("data-split") == "test" }
            #expect(test.map(\.dataX) == rows.map { Double($0.epoch) })
            #expect(test.map(\.dataY) == rows.compactMap(\.testAccuracy))
        }
    }

    @Test("training curves of long runs are drawn through 200 evenly spaced epochs, the first and last kept")
    func longRuns() throws {
        let thinned = Figures.thinned(Array(0...1500))
        #expect(thinned.count == Figures.curveLimit && thinned.first == 0 && thinned.last == 1500)
        #expect(zip(thinned, thinned.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Figures.thinned(Array(0..<150)) == Array(0..<150))
        func curves(epochs: Int) throws -> RenderedFigure {
            var input = Self.sweep
            input.metrics = input.points.flatMap { p in
                (0..<epochs).map { ReportInput.EpochMetrics(point: p.index, epoch: $0, trainLoss: 1 / Double($0 + 1), trainAccuracy: 0.5,
                                                            testLoss: 1, testAccuracy: 0.5) }
            }
            return try #require(Figures.all(for: input).first { $0.name == "training-curves" })
        }
        let long = try curves(epochs: 1501), limit = try curves(epochs: 200)
        #expect(long.caption.contains("drawn through 200 evenly spaced epochs") && !limit.caption.contains("evenly spaced"))
        // 1,501 epochs cost what 200 do.
        let ratio = Double(long.svg.utf8.count) / Double(limit.svg.utf8.count)
        #expect(ratio > 0.8 && ratio < 1.25, "\(long.svg.utf8.count) vs \(limit.svg.utf8.count) bytes")
    }

    @Test("the sweep overlay averages points sharing a value, with their standard deviation as the error bar")
    func sweepOverlayAverages() throws {
        let inspector = try Self.figure("id-sweep-model-width")
        let panel = try #require(inspector.panels.first { $0.node["data-estimator"] == "pr" })
        let marker = try #require(panel.markers.first { $0.series("data-value") == "256" && $0.dataX == 3 })
        let values = Self.sweep.points.filter { $0.assignments["model.width"] == "256" }.compactMap { point in
            Self.sweep.estimates.first { $0.point == point.index && $0.epoch == 10 && $0.layerIndex == 3 && $0.estimator == "pr" }?.value
        }
        #expect(values.count == 4)
        let mean = values.reduce(0, +) / 4
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        #expect(abs(marker.dataY - mean) < 1e-12)
        #expect(abs((marker.error ?? .nan) - sd) < 1e-12)
        // Width 1024 has a diverged point; its epoch-2 profile must not enter the average.
        let wide = try #require(panel.markers.first { $0.series("data-value") == "1024" && $0.dataX == 3 })
        #expect(wide.node.all("title").first?.allText.hasSuffix("(mean of 3 configurations)") == true)
    }

    @Test("edge cases render well-formed figures with markers on their data", arguments: SampleData.edgeCases())
    func edgeCase(_ edge: SampleData.EdgeCase) throws {
        for figure in Figures.all(for: edge.input) {
            let inspector = try FigureInspector(figure.svg)
            Self.checkGeometry(inspector)
            #expect(!figure.svg.contains("NaN") && !figure.svg.contains("nan,") && !figure.svg.contains("inf "))
        }
    }

    @Test("constant values get a non-empty y range centred on them")
    func constantValues() throws {
        let input = SampleData.edgeCases().first { $0.id == "constant values" }!.input
        let inspector = try FigureInspector(try #require(Figures.all(for: input).first).svg)
        for panel in inspector.panels {
            #expect(panel.y.domain.0 < 7 && panel.y.domain.1 > 7)
            #expect(panel.tickLabels.y.count >= 2)
        }
    }

    @Test("one layer: single markers, no lines, a unit-wide x range around the layer")
    func oneLayer() throws {
        let input = SampleData.edgeCases().first { $0.id == "one layer" }!.input
        let inspector = try FigureInspector(try #require(Figures.all(for: input).first).svg)
        for panel in inspector.panels {
            #expect(panel.markers.count == 2)
            #expect(panel.node.all("polyline").isEmpty)
            #expect(panel.x.domain == (-0.5, 0.5))
        }
    }

    @Test("a missing value breaks the line instead of bridging it")
    func missingValue() throws {
        let input = SampleData.edgeCases().first { $0.id == "missing value mid-profile" }!.input
        let inspector = try FigureInspector(try #require(Figures.all(for: input).first).svg)
        let mle = inspector.root.all(class: "series").filter { $0["data-estimator"] == "mle" }
        #expect(mle.count == 2)
        for series in mle {
            #expect(series.all("polyline").count == 2)
            #expect(series.all(class: "marker").map { $0["data-x"] } == ["0.0", "1.0", "3.0", "4.0"])
        }
    }

    @Test("non-finite input numbers are left out, never drawn")
    func nonFinite() throws {
        let input = SampleData.edgeCases().first { $0.id == "non-finite numbers in the input" }!.input
        let figures = Figures.all(for: input)
        let inspector = try FigureInspector(try #require(figures.first { $0.name == "id-by-layer" }).svg)
        #expect(inspector.root.all(class: "marker").map { $0["data-y"] } == ["3.0", "4.0"])
        #expect(inspector.root.all(class: "error-bar").isEmpty)
        // No finite accuracy or noise scale: no scatter figures.
        #expect(!figures.contains { $0.name.hasPrefix("final-id") })
    }

    @Test("an input without estimates or metrics yields no figures")
    func noData() {
        let input = SampleData.edgeCases().first { $0.id == "every point failed" }!.input
        #expect(Figures.all(for: input).isEmpty)
    }

    @Test("text is escaped: markup in labels stays text")
    func escaping() throws {
        let input = SampleData.edgeCases().first { $0.id == "markup in every text field" }!.input
        let inspector = try FigureInspector(try #require(Figures.all(for: input).first).svg)
        #expect(inspector.root.all("script").isEmpty)
        #expect(inspector.panels.first?.tickLabels.x == ["<fc1>&'", "fc2"])
        #expect(inspector.root.all(class: "legend-entry").first?["data-label"] == "pr<&>")
    }
}
