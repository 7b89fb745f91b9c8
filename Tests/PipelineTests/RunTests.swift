import AccordionTestSupport
import Foundation
import Testing
import ResultBundles
@testable import ExperimentSpec
@testable import Pipeline

@Suite("Running experiments end to end", .serialized)
struct RunTests {
    static let smoke = ["data.train_size=2000", "data.test_size=500", "train.epochs=1", "probe.epochs=[0,1]", "probe.size=200"]

    @Test("the quickstart in smoke mode writes a complete, checksummed bundle")
    func quickstartSmoke() throws {
        let results = TestSupport.temporaryDirectory("results")
        let spec = try SpecLoader.load(path: TestSupport.repositoryRoot.appendingPathComponent("Experiments/quickstart.yaml").path,
                                       overrides: Self.smoke)
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, log: { _ in }))
        #expect(summary.failures.isEmpty)
        let layout = BundleLayout(root: summary.bundle)
        for file in [layout.spec, layout.overrides, layout.resolved, layout.provenance, layout.results, layout.bundleJSON] {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent)")
        }
        #expect(try Data(contentsOf: layout.spec) == Data(spec.text.utf8))
        let csv = try String(contentsOf: layout.results, encoding: .utf8).split(separator: "\n")
        // 2 probe epochs × 5 layers × 1 estimator, plus the header.
        #expect(csv.count == 11)
        let header = csv[0].split(separator: ",").map(String.init)
        #expect(Array(header.prefix(4)) == ["point", "label", "configuration", "replicate"])
        #expect(header.contains("model.widths") && header.contains("train.lr") && header.contains("true_id"))
        let column = try #require(header.firstIndex(of: "value"))
        let values = csv.dropFirst().compactMap { Double($0.split(separator: ",")[column]) }
        #expect(values.count == 10 && values.allSatisfy { $0 >= 1 && $0.isFinite })
        let accuracy = try #require(summary.metrics[0]?.last?.testAccuracy)
        #expect(accuracy > 0.5, "2,000 examples, one epoch: \(accuracy)")

        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: layout.bundleJSON))
        #expect(manifest.status == .complete)
        #expect(manifest.files.contains { $0.path == "results.csv" })
        #expect(manifest.files.contains { $0.path == "report.html" })
        #expect(manifest.files.contains { $0.path.hasPrefix("figures/") && $0.path.hasSuffix(".svg") })
        #expect(manifest.files.contains { $0.path.hasSuffix("metrics.jsonl") })
        for record in manifest.files {
            let (hash, size) = try Checksums.sha256(of: layout.root.appendingPathComponent(record.path))
            #expect(hash == record.sha256 && size == record.size, "\(record.path)")
        }
        let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.provenance)) as? [String: Any]
        #expect((provenance?["blas_threads"] as? Int) == 1)
        #expect(((provenance?["datasets"] as? [String: String])?.values.first?.count) == 64)
    }

    @Test("execution.threads 2 trains a ResNet on two workers: the same bits every time, not one thread's")
    func twoThreads() throws {
        func values(threads: Int) throws -> (values: [String], provenance: Int?) {
            let results = TestSupport.temporaryDirectory("results")
            let spec = try SpecLoader.load(path: TestSupport.repositoryRoot.appendingPathComponent("Experiments/quickstart.yaml").path,
                                           overrides: ["data.train_size=512", "data.test_size=128", "train.epochs=1",
                                                        "probe.epochs=[1]", "probe.size=100", "model.architecture=resnet",
                                                        "model.depth=8", "model.width=8", "execution.threads=\(threads)"])
            let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, log: { _ in }))
            #expect(summary.failures.isEmpty)
            let layout = BundleLayout(root: summary.bundle)
            let table = try CSVTable(text: String(contentsOf: layout.results, encoding: .utf8))
            let column = try #require(table.header.firstIndex(of: "value"))
            let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.provenance)) as? [String: Any]
            return (table.rows.map { $0[column] }, provenance?["blas_threads"] as? Int)
        }
        let two = try values(threads: 2), again = try values(threads: 2), one = try values(threads: 1)
        #expect(two.provenance == 2)
        #expect(!two.values.isEmpty && two.values == again.values)
        // The strided convolutions' weight gradients are summed per worker, then added: another
        // order than one thread's, so training ends elsewhere in the last bits.
        #expect(two.values != one.values)
    }

    @Test("--fail-fast stops scheduling after the first failure and says why the rest did not run")
    func failFast() throws {
        let results = TestSupport.temporaryDirectory("results")
        let yaml = "name: failfast\nmodel: {depth: 2, width: 32, activation: identity}\ntrain:\n  lr: {grid: [90, 0.01]}\n  momentum: 0.99\n"
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "f.yaml", defaultName: "f", overrides: Self.smoke)
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, jobs: 1, failFast: true, log: { _ in }))
        #expect(summary.failures.map(\.stage) == ["train[lr=90]"])
        let skipped = summary.outcomes.values.compactMap { o -> String? in if case .skipped(let why) = o { return why } else { return nil } }
        #expect(skipped.contains("not run: an earlier stage failed (--fail-fast)"))
        #expect(summary.outcomes.count == summary.stageCount)
    }

    @Test("a diverging run point fails alone, named with its stage and epoch; the others complete")
    func divergence() throws {
        let results = TestSupport.temporaryDirectory("results")
        // A linear network (identity activations) with a huge step overflows to an infinite loss.
        let yaml = "name: diverge\nmodel: {depth: 2, width: 32, activation: identity}\ntrain:\n  lr: {grid: [0.01, 90]}\n  momentum: 0.99\n"
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "d.yaml", defaultName: "d", overrides: Self.smoke)
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, log: { _ in }))
        #expect(summary.failures.count == 1)
        let failure = try #require(summary.failures.first)
        #expect(failure.stage == "train[lr=90]")
        #expect(failure.reason.contains("diverged at epoch 1 step"))
        #expect(summary.rows.contains { $0.point == 0 && $0.epoch == 1 })
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: BundleLayout(root: summary.bundle).bundleJSON))
        #expect(manifest.status == .partial)
        #expect(manifest.stages.contains { $0.status == .failed && $0.error?.contains("diverged") == true })
    }
}
