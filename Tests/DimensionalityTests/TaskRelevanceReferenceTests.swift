import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

/// `class_geometry` and `linear_probe` against scikit-learn on the fixed point sets written by
/// `scripts/make-readout-reference.py` (`Tests/Fixtures/reference/readout*.{json,npy}`).
@Suite("Task-relevance measures match scikit-learn")
struct TaskRelevanceReferenceTests {
    struct Reference {
        var x: DoubleTensor
        var labels: [Int]
        var classGeometry: Double
        var testFold: [Int]
        var fixedAlpha: Double
        var fixedAccuracies: [Double]
        var fixedDecisionFold0: [[Double]]
        var cvAlphas: [Double]
        var cvAccuracies: [Double]
        var cvInnerMeansFold0: [Double]
    }

    static let datasets = ["blobs3_150x20", "blobs4_60x100"]

    static func reference(_ name: String) throws -> Reference {
        let data = try Data(contentsOf: TestSupport.fixture("reference/readout.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let entry = try #require((root["datasets"] as? [String: Any])?[name] as? [String: Any])
        func ints(_ key: String) throws -> [Int] { try #require(entry[key] as? [Int], "\(key)") }
        func doubles(_ key: String) throws -> [Double] { try #require((entry[key] as? [NSNumber])?.map(\.doubleValue), "\(key)") }
        let decision = try #require(entry["fixed_decision_fold0"] as? [[NSNumber]]).map { $0.map(\.doubleValue) }
        return Reference(x: try TestData.reference("readout_\(name)"), labels: try ints("labels"),
                         classGeometry: try #require(entry["class_geometry"] as? Double), testFold: try ints("test_fold"),
                         fixedAlpha: try #require(entry["fixed_alpha"] as? Double), fixedAccuracies: try doubles("fixed_accuracies"),
                         fixedDecisionFold0: decision, cvAlphas: try doubles("cv_alphas"), cvAccuracies: try doubles("cv_accuracies"),
                         cvInnerMeansFold0: try doubles("cv_inner_mean_accuracies_fold0"))
    }

    @Test("class_geometry equals NumPy's between / total variance", arguments: datasets)
    func classGeometry(_ name: String) throws {
        let r = try Self.reference(name)
        let e = try IDEstimator.named("class_geometry").estimate(r.x, labels: r.labels)
        #expect(abs(e.value - r.classGeometry) <= 1e-12, "\(e.value) vs \(r.classGeometry)")
        #expect(e.estimator == "class_geometry" && e.points == r.labels.count)
    }

    @Test("folds are dealt exactly as StratifiedKFold(5) deals them", arguments: datasets)
    func folds(_ name: String) throws {
        let r = try Self.reference(name)
        #expect(LinearProbe.stratifiedFolds(r.labels, folds: 5) == r.testFold)
    }

    @Test("fixed α: every fold's accuracy and fold 0's decision values match RidgeClassifier", arguments: datasets)
    func fixedAlpha(_ name: String) throws {
        let r = try Self.reference(name)
        let n = r.x.rows, d = r.x.columns
        let settings = LinearProbe.Settings(folds: 5, alpha: .fixed(r.fixedAlpha), shuffle: false)
        let outcome = LinearProbe.crossValidate(r.x.scalars, rows: n, columns: d, labels: r.labels, settings: settings)
        #expect(outcome.accuracies.count == 5)
        for (a, b) in zip(outcome.accuracies, r.fixedAccuracies) { #expect(abs(a - b) <= 1e-12, "\(outcome.accuracies) vs \(r.fixedAccuracies)") }

        let train = (0..<n).filter { r.testFold[$0] != 0 }, test = (0..<n).filter { r.testFold[$0] == 0 }
        let model = RidgeClassifier.fit(RidgeData(r.x.scalars, columns: d, rows: train, labels: r.labels), alphas: [r.fixedAlpha])[0]
        let values = model.decision(RidgeData(r.x.scalars, columns: d, rows: test, labels: r.labels))
        let c = model.classes.count
        #expect(r.fixedDecisionFold0.count == test.count && r.fixedDecisionFold0.allSatisfy { $0.count == c })
        var worst = 0.0
        for (i, row) in r.fixedDecisionFold0.enumerated() {
            for (k, v) in row.enumerated() { worst = max(worst, abs(values[i * c + k] - v)) }
        }
        #expect(worst <= 1e-6, "largest decision-value difference \(worst)")

        // The estimator reports the mean of the fold accuracies and their sample standard deviation.
        let e = try IDEstimator.named("linear_probe", settings: ["alpha": "1", "shuffle": "false"]).estimate(r.x, labels: r.labels)
        let mean = r.fixedAccuracies.reduce(0, +) / 5
        let sd = (r.fixedAccuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        #expect(abs(e.value - mean) <= 1e-12)
        #expect(abs((e.errorBar ?? -1) - sd) <= 1e-12)
    }

    @Test("α by inner CV: GridSearchCV's inner means, chosen α and outer accuracies", arguments: datasets)
    func crossValidatedAlpha(_ name: String) throws {
        let r = try Self.reference(name)
        let n = r.x.rows, d = r.x.columns
        let train = (0..<n).filter { r.testFold[$0] != 0 }
        let means = LinearProbe.innerAccuracies(RidgeData(r.x.scalars, columns: d, rows: train, labels: r.labels), folds: 5)
        #expect(means.count == r.cvInnerMeansFold0.count)
        for (a, b) in zip(means, r.cvInnerMeansFold0) { #expect(abs(a - b) <= 1e-12, "\(means) vs \(r.cvInnerMeansFold0)") }

        let settings = LinearProbe.Settings(folds: 5, alpha: .crossValidated, shuffle: false)
        let outcome = LinearProbe.crossValidate(r.x.scalars, rows: n, columns: d, labels: r.labels, settings: settings)
        #expect(outcome.alphas == r.cvAlphas)
        for (a, b) in zip(outcome.accuracies, r.cvAccuracies) { #expect(abs(a - b) <= 1e-12, "\(outcome.accuracies) vs \(r.cvAccuracies)") }
    }
}
