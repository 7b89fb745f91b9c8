import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

/// Known answers from scikit-dimension 0.5.0 and dadapy 0.3.4 (`reference/estimators.json`).
@Suite("Estimators match scikit-dimension and dadapy")
struct ReferenceEstimatesTests {
    static let sets = ["uniform5_in50", "sphere9_in100"]

    /// (estimator spec, reference key, relative tolerance)
    static let table: [(String, String, Double)] = [
        ("twonn", "TwoNN_skdim_linear_d0.1", 1e-6),
        ("twonn:discard_fraction=0.1", "TwoNN_dadapy_base_f0.9", 1e-6),
        ("twonn", "exact.linear_fit_f0.9_ansuini_recipe", 1e-6),
        ("twonn:method=mle", "TwoNN_skdim_mle_d0.1", 1e-6),
        ("twonn:method=mle,discard_fraction=0", "TwoNN_skdim_mle_d0", 1e-6),
        ("twonn:method=mle_all", "TwoNN_dadapy_ml", 1e-6),
        ("twonn:method=mle_all", "exact.mle_all_(N-1)/sum_log_mu", 1e-6),
        ("mle:k=20", "MLE_skdim_k20", 1e-6),
        ("mle:k=20,average=harmonic", "MLE_skdim_k20", 1e-6),
        ("mle:k=20,average=mean", "MLE_skdim_k20_mean", 1e-6),
        ("pr", "PR_numpy", 1e-9),
        ("pr", "PR_skdim_lPCA", 1e-9),
        ("pca:rule=fo,alpha=0.05", "lPCA_skdim_global_FO", 0),
        ("local_pca:k=100,rule=fo,alpha=0.05", "lPCA_skdim_local_FO_k100", 1e-12),
    ]

    static var arguments: [(String, String, String, Double)] {
        sets.flatMap { set in table.map { (set, $0.0, $0.1, $0.2) } }
    }

    @Test("value matches the reference", arguments: arguments)
    func matches(_ set: String, _ spec: String, _ key: String, _ tolerance: Double) throws {
        let x = try TestData.reference(set)
        let expected = try #require(try TestSupport.referenceEstimates(set)[key], "no key \(key) for \(set)")
        let estimator = try IDEstimator.parse(TestData.spec(spec, "resamples=0"))
        let result = try estimator.estimate(x)
        #expect(TestSupport.close(result.value, expected, relative: tolerance),
                "\(set) \(spec): \(result.value) vs \(key) = \(expected)")
        #expect(result.duplicates == 0 && result.ties == 0)
    }

    @Test("neighbour distances agree with the reference statistics", arguments: sets)
    func neighbourStatistics(_ set: String) throws {
        let x = try TestData.reference(set)
        let reference = try TestSupport.referenceEstimates(set)
        let graph = try NearestNeighbors.search(x, k: 2)
        let n = Double(graph.count)
        let meanR1 = (0..<graph.count).reduce(0.0) { $0 + graph.distance($1, rank: 1) } / n
        let meanR2 = (0..<graph.count).reduce(0.0) { $0 + graph.distance($1, rank: 2) } / n
        let sumLogMu = (0..<graph.count).reduce(0.0) { $0 + log(graph.distance($1, rank: 2) / graph.distance($1, rank: 1)) }
        #expect(TestSupport.close(meanR1, try #require(reference["exact.mean_r1"]), relative: 1e-10))
        #expect(TestSupport.close(meanR2, try #require(reference["exact.mean_r2"]), relative: 1e-10))
        #expect(TestSupport.close(sumLogMu, try #require(reference["exact.sum_log_mu"]), relative: 1e-9))
        #expect(Double(graph.duplicatePoints) == reference["exact.n_duplicate_points"])
        #expect(Double(graph.count) == reference["exact.N"])
    }

    @Test("nonlinear estimators land near the true dimension; the sphere's PCA sees its 10-D span")
    func plausible() throws {
        for (set, truth) in [("uniform5_in50", 5.0), ("sphere9_in100", 9.0)] {
            let x = try TestData.reference(set)
            for spec in ["twonn", "mle", "corrdim"] {
                let v = try IDEstimator.parse(TestData.spec(spec, "resamples=0")).estimate(x).value
                #expect(abs(v - truth) < 0.25 * truth, "\(set) \(spec) = \(v), true ID \(truth)")
            }
        }
        let sphere = try TestData.reference("sphere9_in100")
        #expect(try IDEstimator.parse("pca:variance=0.999").estimate(sphere).value == 10)
    }
}
