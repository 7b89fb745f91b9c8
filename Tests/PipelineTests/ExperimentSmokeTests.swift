import AccordionTestSupport
import Foundation
import ResultBundles
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// Every shipped experiment runs end to end in smoke mode, so none silently rots.
@Suite("Experiments in smoke mode")
struct ExperimentSmokeTests {
    static var experiments: [String] {
        let dir = TestSupport.repositoryRoot.appendingPathComponent("Experiments")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("each experiment runs in smoke mode to a complete, verified bundle", arguments: experiments)
    func smoke(_ file: String) throws {
        let path = TestSupport.repositoryRoot.appendingPathComponent("Experiments").appendingPathComponent(file).path
        let full = try SpecLoader.load(path: path)
        let spec = try SpecLoader.load(path: path, overrides: SpecLoader.smokeOverrides(for: full, splitSizes: ArraysCheck.splitSizes))
        // The same configurations, but for sweeps of what smoke mode fixes (data sizes, training
        // length, probe epochs and size), which collapse; replicates beyond two are dropped (2 still
        // pair every claim).
        let fixed: Set<String> = ["data.train_size", "data.test_size", "train.epochs", "train.steps", "probe.epochs", "probe.size"]
        if fixed.isDisjoint(with: full.configurationPaths) {
            #expect(spec.configurationCount == full.configurationCount)
        } else {
            #expect(spec.configurationCount < full.configurationCount)
        }
        #expect(spec.replicateCount == min(2, full.replicateCount) || spec.replicateCount == full.replicateCount)
        #expect(spec.points.allSatisfy { $0.experiment.train.epochs <= 1 && $0.experiment.probe.size <= 200 })
        let results = TestSupport.temporaryDirectory("smoke")
        defer { try? FileManager.default.removeItem(at: results) }
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, log: { _ in }))
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let estimators = Set(full.points[0].experiment.estimators.names)
        #expect(Set(summary.rows.map(\.estimator)) == estimators)
        #expect(summary.rows.allSatisfy { $0.value.isFinite })
        let reader = try BundleReader(summary.bundle)
        #expect(reader.manifest.status == .complete)
        #expect(BundleVerifier.integrity(reader).isEmpty)
        #expect(FileManager.default.fileExists(atPath: summary.bundle.appendingPathComponent("report.html").path))
        // results.csv spells out each row's settings; synthetic manifolds carry their true ID.
        let table = try CSVTable(text: try String(contentsOf: reader.layout.results, encoding: .utf8))
        let trueID = try #require(table.column("true_id"))
        let lr = try #require(table.column("train.lr"))
        let point = try #require(table.column("point"))
        for row in table.rows {
            let experiment = try #require(Int(row[point]).map { spec.points[$0].experiment })
            #expect(row[trueID] == (experiment.trueIntrinsicDimension.map(String.init) ?? ""))
            // Imported activations were trained elsewhere: no learning rate is known.
            #expect(experiment.activations == nil ? Double(row[lr]) == experiment.train.lr : row[lr] == "")
        }
        if file == "manifolds.yaml" { #expect(table.rows.allSatisfy { Int($0[trueID]) != nil }) }
    }
}
