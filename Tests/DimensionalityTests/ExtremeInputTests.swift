import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Extreme settings and magnitudes give a true error or the right value")
struct ExtremeInputTests {
    static let specs = ["pr", "pca", "twonn", "mle:k=5", "local_pca:k=5", "corrdim:k1=2,k2=4"]

    /// Settings text refuses a huge k with its range; an estimator built in code with one still
    /// answers tooFewPoints with the true numbers instead of trapping on an overflow.
    @Test("a huge k is a range error in settings and tooFewPoints in code, not an overflow trap",
          arguments: [("local_pca:k=9223372036854775807", "k = 9223372036854775807 must be in [2, 100000]",
                       IDEstimator.Method.localPCA(LocalPCA.Settings(k: .max))),
                      ("mle:k=9223372036854775806", "k = 9223372036854775806 must be in [2, 10000]",
                       .mle(LevinaBickel.Settings(k: .max - 1))),
                      ("corrdim:k1=2,k2=9223372036854775807", "k2 = 9223372036854775807 must be in [2, 100000]",
                       .correlationDimension(CorrelationDimension.Settings(k1: 2, k2: .max))),
                      ("local_pca:k=4611686018427387904", "k = 4611686018427387904 must be in [2, 100000]",
                       .localPCA(LocalPCA.Settings(k: 1 << 62)))])
    func hugeK(_ spec: String, _ message: String, _ method: IDEstimator.Method) throws {
        #expect(throws: EstimatorError.self) { try IDEstimator.parse(spec) }
        do {
            _ = try IDEstimator.parse(spec)
        } catch {
            #expect("\(error)".contains(message), "\(spec): \(error)")
        }
        var rng = RandomStream(seed: 7)
        let x: DoubleTensor = rng.normalTensor(shape: [50, 3])
        do {
            let e = try IDEstimator(method).estimate(x)
            Issue.record("\(spec) gave \(e.value) on 50 points")
        } catch let error as EstimatorError {
            guard case let .tooFewPoints(_, needed, got) = error else {
                Issue.record("\(spec): \(error)")
                return
            }
            #expect(got == 50)
            #expect(needed > 50)
        }
    }

    @Test("points scaled by 1e±300 (and Float points by 1e±30) give the unscaled estimate", arguments: specs)
    func scaled(_ spec: String) throws {
        let estimator = try IDEstimator.parse(spec)
        var rng = RandomStream(seed: 11)
        let x: DoubleTensor = rng.normalTensor(shape: [200, 4])
        let reference = try estimator.estimate(x).value
        for scale in [1e300, 1e-300, Double.leastNormalMagnitude / 1_000] {  // the last is subnormal
            let y = DoubleTensor(shape: x.shape, scalars: x.scalars.map { $0 * scale })
            let v = try estimator.estimate(y).value
            #expect(v.isFinite)
            #expect(abs(v - reference) <= 1e-6 * max(1, abs(reference)), "\(spec) at scale \(scale): \(v) vs \(reference)")
        }
        let xf: FloatTensor = x.converted()
        let floatReference = try estimator.estimate(xf).value
        for scale in [1e30, 1e-30] {
            let y = FloatTensor(shape: x.shape, scalars: x.scalars.map { Float($0 * scale) })
            let v = try estimator.estimate(y).value
            #expect(abs(v - floatReference) <= 1e-3 * max(1, abs(floatReference)), "\(spec) float at scale \(scale): \(v) vs \(floatReference)")
        }
    }

    @Test("distinct points at 1e-300 are not reported as all equal")
    func tinyNotEqual() throws {
        let x = DoubleTensor(shape: [4, 2], scalars: [0, 0, 1e-300, 0, 0, 1e-300, 1e-300, 1e-300])
        let pr = try IDEstimator.parse("pr").estimate(x)
        #expect(abs(pr.value - 2) < 1e-9)
    }
}
