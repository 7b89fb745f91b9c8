import AccordionTestSupport
import Foundation
import Testing
import ResultBundles
import Tensors

/// `class_geometry` and `linear_probe` through the command line, from a spec to `results.csv`.
@Suite("Task-relevance measures end to end", .serialized)
struct TaskRelevanceRunTests {
    static let spec = """
    name: readout
    data: {train_size: 2000, test_size: 500}
    model: {depth: 2, width: 64}
    train: {epochs: 2, seed: 3}
    probe: {epochs: [0, 2], size: 300}
    estimators:
      pr: {}
      linear_probe: {}
      class_geometry: {}

    """

    /// The rows of a CSV file as dictionaries keyed by the header.
    static func table(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    @Test("accordion run writes linear_probe and class_geometry rows in [0, 1]; training lifts the last hidden layer above chance")
    func run() throws {
        let results = TestSupport.temporaryDirectory("readout")
        defer { try? FileManager.default.removeItem(at: results) }
        let spec = try TestSupport.writeSpec(Self.spec)
        let r = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(r.status == 0, "\(r.output)")
        let bundle = try #require(BundleReader.bundles(under: results).first)
        let rows = try Self.table(bundle.appendingPathComponent("results.csv"))
        // 2 epochs × 4 layers (input, h1, h2, logits) per estimator.
        for name in ["pr", "linear_probe", "class_geometry"] {
            #expect(rows.filter { $0["estimator"] == name }.count == 8, "\(name)")
        }
        for row in rows where row["estimator"] != "pr" {
            let value = try #require(row["value"].flatMap(Double.init), "\(row)")
            #expect(value >= 0 && value <= 1, "\(row)")
        }
        func value(_ estimator: String, _ layer: String, epoch: Int) -> Double? {
            rows.first { $0["estimator"] == estimator && $0["layer"] == layer && $0["epoch"] == String(epoch) }?["value"].flatMap(Double.init)
        }
        // Ten Fashion-MNIST classes: chance is about 0.1.
        let trained = try #require(value("linear_probe", "h2", epoch: 2))
        #expect(trained > 0.5, "linear_probe of h2 after training: \(trained)")
        let geometry = try #require(value("class_geometry", "h2", epoch: 2))
        #expect(geometry > 9.0 / 299 * 3, "class_geometry of h2 after training: \(geometry), random labels give ≈ 0.03")
        // The linear probe's error bar (the spread across its folds) fills the error column.
        let error = rows.first { $0["estimator"] == "linear_probe" }?["probe_subsample_sd"].flatMap(Double.init)
        #expect((error ?? -1) >= 0)

        #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("figures/task-relevance-by-layer.svg").path))
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: BundleLayout(root: bundle).bundleJSON))
        let probeFiles = manifest.files.filter { $0.path.hasSuffix("/" + ProbeRecord.fileName) }
        #expect(probeFiles.count == 2)
        let record = try ProbeRecord.read(file: bundle.appendingPathComponent(try #require(probeFiles.first).path))
        #expect(record.labels.count == 300 && record.indices.count == 300 && record.split == "test")
        #expect(Set(record.labels).count == 10 && record.indices == record.indices.sorted())
    }

    @Test("accordion estimate asks for --labels, then runs the measures on them")
    func estimateCommand() throws {
        let dir = TestSupport.temporaryDirectory("labels")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = RandomStream(seed: 1, path: "cli")
        var x: DoubleTensor = rng.normalTensor(shape: [60, 5])
        let labels = (0..<60).map { $0 % 2 }
        for i in 0..<60 { x[i, 0] += labels[i] == 1 ? 20 : -20 }
        let points = dir.appendingPathComponent("x.npy"), labelFile = dir.appendingPathComponent("y.json")
        try NPY.write(x, to: points)
        try Data("\(labels)".utf8).write(to: labelFile)
        let missing = try TestSupport.runAccordion(["estimate", points.path, "--estimator", "linear_probe"])
        #expect(missing.status == 2)
        #expect(missing.output.contains("error: --estimator linear_probe needs the class of every point; give them with --labels FILE"), "\(missing.output)")
        let ok = try TestSupport.runAccordion(["estimate", points.path, "--labels", labelFile.path, "--estimator", "linear_probe",
                                               "--estimator", "class_geometry", "--json"])
        #expect(ok.status == 0, "\(ok.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ok.output.utf8)) as? [String: Any])
        let estimates = try #require(json["estimates"] as? [[String: Any]])
        #expect(estimates.first { $0["estimator"] as? String == "linear_probe" }?["value"] as? Double == 1)
        let geometry = try #require(estimates.first { $0["estimator"] as? String == "class_geometry" }?["value"] as? Double)
        #expect(geometry > 0.9 && geometry < 1)
    }
}
