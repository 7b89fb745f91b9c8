import Foundation
import Testing
@testable import Claims
import ExperimentSpec

/// Under a true null the engine must rarely say "supported": at most about alpha. Each test
/// simulates many replicate sets with no effect and prints the observed rate.
@Suite("Calibration under a true null")
struct CalibrationTests {
    /// Upper limit for a rate whose expectation is at most `alpha`: alpha plus three binomial
    /// standard errors over `trials`.
    static func limit(_ alpha: Double, trials: Int) -> Double { alpha + 3 * (alpha * (1 - alpha) / Double(trials)).squareRoot() }

    static func rate(trials: Int, seed: UInt64, claims: [ClaimSpec], build: (inout Synthetic) -> Void) -> (supported: Double, contradicted: Double) {
        var supported = 0, contradicted = 0
        for t in 0..<trials {
            var s = Synthetic(seed: seed &+ UInt64(t) &* 0x9E37_79B9)
            build(&s)
            let results = ClaimEvaluator.evaluate(claims, data: s.data, options: ClaimOptions(resamples: 200, seed: UInt64(t)))
            supported += results.filter { $0.verdict == .supported }.count
            contradicted += results.filter { $0.verdict == .contradicted }.count
        }
        let n = Double(trials * claims.count)
        return (Double(supported) / n, Double(contradicted) / n)
    }

    @Test("cells and conditions: no effect, 5 replicates, 2,000 replicate sets")
    func pairedNull() {
        let trials = 2000
        let claim = ClaimSpec.cells("null", .decrease)
        let (supported, contradicted) = Self.rate(trials: trials, seed: 1, claims: [claim]) { s in
            s.add(replicates: 5, noise: 1) { _, _ in 20 }
        }
        print("calibration, paired t, n = 5: supported rate \(supported), contradicted rate \(contradicted) (alpha 0.05)")
        // One-sided in effect: only the expected side can support, so the rate is about alpha / 2.
        #expect(supported <= Self.limit(0.025, trials: trials))
        #expect(supported > 0.005, "a test that never fires would pass the line above vacuously")
    }

    @Test("profile: a flat profile is rarely an interior peak (1,000 sets of 4 replicates)")
    func profileNull() {
        let trials = 1000
        let claim = ClaimSpec(id: "peak", statement: "peak", estimator: "pr", kind: .profile, shape: .interiorPeak, epoch: .last)
        let (supported, _) = Self.rate(trials: trials, seed: 2, claims: [claim]) { s in
            s.add(replicates: 4, noise: 1) { _, _ in 10 }
        }
        print("calibration, interior peak, n = 4: supported rate \(supported) (alpha 0.05)")
        #expect(supported <= Self.limit(0.05, trials: trials))
    }

    @Test("correlation: ID unrelated to width, 6 configurations × 3 replicates, 400 sets")
    func correlationNull() {
        let trials = 400
        let claim = ClaimSpec(id: "rho", statement: "rho", estimator: "pr", kind: .correlation, direction: .increase,
                              cell: CellRef(layer: "h3", epoch: .last), against: "model.width")
        let (supported, _) = Self.rate(trials: trials, seed: 3, claims: [claim]) { s in
            for w in [32, 64, 128, 256, 512, 1024] { s.add(["model.width": String(w)], replicates: 3, noise: 1) { _, _ in 10 } }
        }
        print("calibration, Spearman on 6 configuration means: supported rate \(supported) (alpha 0.05)")
        #expect(supported <= Self.limit(0.025, trials: trials))
    }

    @Test("Holm keeps the family-wise rate: 5 null claims per spec, 1,000 specs")
    func familyWise() {
        let trials = 1000
        let claims = (0..<5).map { i in ClaimSpec.cells("c\(i)", i % 2 == 0 ? .decrease : .increase, layer: ["input", "h1", "h2", "h3", "logits"][i]) }
        var anySupported = 0
        for t in 0..<trials {
            var s = Synthetic(seed: 100 &+ UInt64(t))
            s.add(replicates: 5, noise: 1) { _, _ in 20 }
            if ClaimEvaluator.evaluate(claims, data: s.data).contains(where: { $0.verdict == .supported }) { anySupported += 1 }
        }
        let rate = Double(anySupported) / Double(trials)
        print("calibration, Holm over 5 null claims: rate of specs with any supported claim \(rate) (alpha 0.05)")
        #expect(rate <= Self.limit(0.05, trials: trials))
    }
}
