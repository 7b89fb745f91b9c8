import AccordionTestSupport
import Foundation
import Testing
import ResultBundles

/// `per_class: true` through the command line, from a spec to `results.csv` and `estimate.json`.
@Suite("Per-class estimates end to end", .serialized)
struct PerClassRunTests {
    static func spec(_ estimators: String) -> String {
        """
        name: per-class
        data: {dataset: manifold, manifold: {kind: hypercube, dimension: 3, ambient: 10, train_points: 400, test_points: 100}}
        model: {depth: 1, width: 8}
        train: {epochs: 1}
        probe: {epochs: [1], size: 200, split: train}
        estimators:
        \(estimators)

        """
    }

    @Test("results.csv has a class column: each pr row is followed by one row per class, twonn rows have none")
    func rows() throws {
        let results = TestSupport.temporaryDirectory("per-class")
        defer { try? FileManager.default.removeItem(at: results) }
        let spec = try TestSupport.writeSpec(Self.spec("  pr: {per_class: true}\n  twonn: {}"))
        let r = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(r.status == 0, "\(r.output)")
        let bundle = try #require(BundleReader.bundles(under: results).first)
        let rows = try TaskRelevanceRunTests.table(bundle.appendingPathComponent("results.csv"))
        let header = try String(contentsOf: bundle.appendingPathComponent("results.csv"), encoding: .utf8).prefix { $0 != "\n" }
        #expect(header.contains(",estimator,class,value,"), "\(header)")
        // Layers input, h1, logits at epoch 1.
        let pr = rows.filter { $0["estimator"] == "pr" }
        #expect(pr.map { $0["class"] ?? "?" } == ["", "0", "1", "", "0", "1", "", "0", "1"])
        #expect(rows.filter { $0["estimator"] == "twonn" }.map { $0["class"] ?? "?" } == ["", "", ""])
        for layer in ["input", "h1", "logits"] {
            let own = pr.filter { $0["layer"] == layer }
            let sizes = own.compactMap { $0["n"].flatMap(Int.init) }
            #expect(sizes.count == 3 && sizes[0] == 200 && sizes[1] + sizes[2] == 200, "\(layer): \(sizes)")
            #expect(own.allSatisfy { ($0["value"].flatMap(Double.init) ?? 0) >= 1 }, "\(own)")
        }
        // The input is a 3-cube cut in two by the labelling hyperplane: each class spans the same
        // 3-d subspace, so its participation ratio is at most 3, and above 1.
        let input = pr.filter { $0["layer"] == "input" && $0["class"] != "" }.compactMap { $0["value"].flatMap(Double.init) }
        #expect(input.count == 2 && input.allSatisfy { $0 > 1 && $0 <= 3 + 1e-9 }, "\(input)")

        // summary.csv and the figures read the whole-set rows only.
        let summary = try TaskRelevanceRunTests.table(bundle.appendingPathComponent("summary.csv"))
        #expect(summary.filter { $0["estimator"] == "pr" }.count == 3, "\(summary)")

        // estimate.json holds per_class for pr only.
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: BundleLayout(root: bundle).bundleJSON))
        let estimates = manifest.stages.filter { $0.kind == .estimate }
        #expect(estimates.count == 6)
        for stage in estimates {
            let file = BundleLayout(root: bundle).stage(stage.key).appendingPathComponent(EstimateRecord.fileName)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            let labels = (json["per_class"] as? [[String: Any]])?.compactMap { $0["label"] as? Int }
            #expect(labels == (stage.name.hasSuffix(",pr]") ? [0, 1] : nil), "\(stage.name)")
        }
    }

    @Test("comparing two runs matches every per-class row with its counterpart, not only the whole-set rows")
    func compare() throws {
        let spec = try TestSupport.writeSpec(Self.spec("  pr: {per_class: true}\n  twonn: {}"))
        var bundles: [URL] = []
        for label in ["per-class-a", "per-class-b"] {
            let results = TestSupport.temporaryDirectory(label)
            let r = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
            #expect(r.status == 0, "\(r.output)")
            bundles.append(try #require(BundleReader.bundles(under: results).first))
        }
        defer { for b in bundles { try? FileManager.default.removeItem(at: b.deletingLastPathComponent().deletingLastPathComponent()) } }
        let comparison = try BundleVerifier.compare(try BundleReader(bundles[0]), try BundleReader(bundles[1]))
        #expect(comparison.passed, "\(comparison.differences) \(comparison.missing)")
        // results.csv: (3 pr rows + 6 per-class rows + 3 twonn rows) × (value, n, dimension);
        // then every recorded training figure of the one train stage.
        let reader = try BundleReader(bundles[0])
        let train = try #require(reader.manifest.stages.first { $0.kind == .train })
        let figures = try MetricsLog.read(from: reader.layout.stage(train.key)).map { e in
            2 + [e.trainLoss, e.trainAccuracy, e.trainLossEval, e.trainAccuracyEval, e.gradientNoise, e.noiseTemperature]
                .filter { $0 != nil }.count
        }.reduce(0, +)
        #expect(comparison.compared == 36 + figures)
    }

    @Test("a drawn class smaller than the estimator needs fails the estimate stage, naming the class and its size")
    func smallClass() throws {
        let results = TestSupport.temporaryDirectory("per-class-small")
        defer { try? FileManager.default.removeItem(at: results) }
        // Validation allows it (200 points in 2 classes may hold 100 each), but a random draw of
        // 200 from 400 points is almost never split exactly in half.
        let spec = try TestSupport.writeSpec(Self.spec("  mle: {k: 99, resamples: 0, per_class: true}"))
        let r = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        let bundle = try #require(BundleReader.bundles(under: results).first)
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: BundleLayout(root: bundle).bundleJSON))
        let probe = try #require(manifest.stages.first { $0.kind == .probe })
        let labels = try ProbeRecord.read(from: BundleLayout(root: bundle).stage(probe.key)).labels
        let counts = Dictionary(grouping: labels, by: { $0 }).mapValues(\.count)
        let smallest = try #require(counts.min { ($0.value, $0.key) < ($1.value, $1.key) })
        try #require(smallest.value < 100, "this probe draw happens to be balanced: \(counts)")
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("per_class needs at least 100 points in every class, but class \(smallest.key) has \(smallest.value) of the 200 probe points"),
                "\(r.output)")
    }
}
