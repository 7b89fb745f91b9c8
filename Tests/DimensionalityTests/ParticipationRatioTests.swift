import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Participation ratio")
struct ParticipationRatioTests {
    @Test("matches NumPy on the reference point sets", arguments: ["uniform5_in50", "sphere9_in100"])
    func reference(_ name: String) throws {
        let x = try NPY.readDouble(TestSupport.fixture("reference/\(name).npy"))
        let expected = try #require(TestSupport.referenceEstimates(name)["PR_numpy"])
        let pr = try ParticipationRatio.estimate(x)
        #expect(TestSupport.close(pr, expected, relative: 1e-9), "\(pr) vs \(expected)")
    }

    @Test("the Gram route (N < D) gives the same value as the covariance route")
    func gramRoute() throws {
        var rng = RandomStream(seed: 4)
        let x: DoubleTensor = rng.normalTensor(shape: [30, 80])
        // N < D: the estimator takes the Gram route; compute the D × D covariance route by hand.
        let wide = try ParticipationRatio.estimate(x)
        let centred = ParticipationRatio.centred(x)
        var c = DoubleTensor(shape: [80, 80])
        for a in 0..<80 {
            for b in 0..<80 {
                var s = 0.0
                for i in 0..<30 { s += centred[i * 80 + a] * centred[i * 80 + b] }
                c.scalars[a * 80 + b] = s
            }
        }
        let trace = (0..<80).reduce(0.0) { $0 + c.scalars[$1 * 80 + $1] }
        let frob = c.scalars.reduce(0.0) { $0 + $1 * $1 }
        #expect(TestSupport.close(wide, trace * trace / frob, relative: 1e-10))
    }

    @Test("rank-1 data has PR 1; isotropic data in D dimensions has PR ≈ D")
    func knownAnswers() throws {
        var rng = RandomStream(seed: 8)
        let direction: [Double] = (0..<20).map { _ in rng.normal() }
        var line = DoubleTensor(shape: [500, 20])
        for i in 0..<500 {
            let t = rng.normal()
            for j in 0..<20 { line.scalars[i * 20 + j] = t * direction[j] + 3 }
        }
        #expect(abs(try ParticipationRatio.estimate(line) - 1) < 1e-9)
        let iso: DoubleTensor = rng.normalTensor(shape: [50_000, 10])
        #expect(abs(try ParticipationRatio.estimate(iso) - 10) < 0.1)
    }

    @Test("constant data, one point and NaN inputs are clear errors, not NaN")
    func undefined() {
        #expect(throws: EstimatorError.constantData(estimator: "pr")) {
            try ParticipationRatio.estimate(DoubleTensor(shape: [10, 3], repeating: 2))
        }
        #expect(throws: EstimatorError.tooFewPoints(estimator: "pr", needed: 2, got: 1)) {
            try ParticipationRatio.estimate(DoubleTensor(shape: [1, 3], repeating: 2))
        }
        var x = DoubleTensor(shape: [4, 3], repeating: 1)
        x[2, 1] = .nan
        #expect(throws: EstimatorError.nonFinite(estimator: "pr", row: 2, column: 1)) {
            try ParticipationRatio.estimate(x)
        }
    }
}
