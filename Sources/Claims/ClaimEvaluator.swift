import Foundation
import ExperimentSpec

/// Turns declared claims into verdicts from tidy results alone: no training, probing or
/// estimation happens here, so editing a claim never reruns anything upstream.
///
/// Per claim the engine measures an effect with a 95 % CI and a two-sided p-value (the kinds'
/// tests are described on ``ClaimEvaluator/measure(_:index:options:)``); then Holm's method adjusts
/// the p-values of all testable claims of the spec together, and the verdict is read off:
///
/// - **supported**: p_holm < α, and the CI bound nearer zero lies in the expected direction and is
///   at least `min_effect` away from zero;
/// - **contradicted**: p_holm < α and the CI excludes zero on the other side;
/// - **inconclusive**: otherwise (the reason names which condition failed);
/// - **not testable**: a cell, metric or replicate the claim needs is missing (the reason names it).
///
/// A claim of no change (`direction: none`, ``equivalenceVerdict(_:_:margin:pHolm:options:)``) is
/// tested the other way round: two one-sided tests against ±margin.
public enum ClaimEvaluator {
    /// Evaluates every claim of a spec, in order.
    public static func evaluate(_ claims: [ClaimSpec], data: ClaimData, options: ClaimOptions = ClaimOptions()) -> [ClaimResult] {
        let index = DataIndex(data)
        let outcomes = claims.map { measure($0, index: index, options: options) }
        let adjusted = holm(outcomes.map { if case .measured(let m, _) = $0 { return m.p } else { return nil } })
        return zip(claims, zip(outcomes, adjusted)).map { claim, pair in
            verdict(claim, outcome: pair.0, pHolm: pair.1, options: options)
        }
    }

    /// The claim's expected sign: +1 when it predicts a positive effect.
    static func sign(_ claim: ClaimSpec) -> Double { claim.kind != .profile && claim.direction == .decrease ? -1 : 1 }

    static func verdict(_ claim: ClaimSpec, outcome: Outcome, pHolm: Double?, options: ClaimOptions) -> ClaimResult {
        var result = ClaimResult(id: claim.id, statement: claim.statement, citation: claim.citation, estimator: claim.estimator,
                                 kind: claim.kind, expected: claim.shape?.rawValue ?? claim.direction?.rawValue ?? "",
                                 minEffect: claim.minEffect, margin: claim.margin, effect: nil, ciLow: nil, ciHigh: nil, n: 0, p: nil, pHolm: nil,
                                 verdict: .notTestable, reason: "", method: "", restsOn: ClaimBasis())
        switch outcome {
        case let .notTestable(reason, basis):
            result.reason = reason
            result.restsOn = basis
        case let .measured(m, basis):
            result.effect = m.effect
            result.ciLow = m.ciLow
            result.ciHigh = m.ciHigh
            result.n = m.n
            result.p = m.p
            result.pHolm = pHolm
            result.method = m.method
            result.restsOn = basis
            if claim.direction == .unchanged, let margin = claim.margin {
                equivalenceVerdict(&result, m, margin: margin, pHolm: pHolm, options: options)
                return result
            }
            let s = sign(claim), minimum = claim.minEffect ?? 0
            // The CI bound nearer zero, measured in the expected direction; and the far bound.
            let near = s > 0 ? m.ciLow : -m.ciHigh, far = s > 0 ? m.ciHigh : -m.ciLow
            let significant = (pHolm ?? 1) < options.alpha
            let ci = "95 % CI [\(format(m.ciLow)), \(format(m.ciHigh))]"
            let ps = "p = \(format(m.p)), Holm-adjusted \(format(pHolm ?? 1))"
            if significant && near > 0 && near >= minimum {
                result.verdict = .supported
                result.reason = "\(ci) lies on the expected side of zero; \(ps) < \(format(options.alpha))"
            } else if significant && far < 0 {
                result.verdict = .contradicted
                result.reason = "\(ci) excludes zero on the side opposite to the claim; \(ps) < \(format(options.alpha))"
            } else {
                result.verdict = .inconclusive
                if near > 0 && near < minimum {
                    result.reason = "\(ci) clears zero but not min_effect \(format(minimum))"
                } else if near > 0 || far < 0 {
                    result.reason = "\(ci) excludes zero, but \(ps) is not below \(format(options.alpha))"
                } else {
                    result.reason = "\(ci) includes zero (\(ps))"
                }
            }
            if let note = m.note { result.reason += "; \(note)" }
        }
        return result
    }
}

extension ClaimEvaluator {
    /// `direction: none`: supported when the equivalence (TOST) p, Holm-adjusted, is below alpha —
    /// the effect is shown to lie within ±margin; contradicted when the whole 95 % CI lies beyond
    /// the margin on one side — the effect is shown to be larger than the margin.
    static func equivalenceVerdict(_ result: inout ClaimResult, _ m: Measure, margin: Double, pHolm: Double?, options: ClaimOptions) {
        let ci = "95 % CI [\(format(m.ciLow)), \(format(m.ciHigh))]"
        let ps = "equivalence p = \(format(m.p)), Holm-adjusted \(format(pHolm ?? 1))"
        let within = "±\(format(margin))"
        if (pHolm ?? 1) < options.alpha {
            result.verdict = .supported
            result.reason = "the effect lies within \(within): \(ps) < \(format(options.alpha)) (\(ci))"
        } else if m.ciLow > margin || m.ciHigh < -margin {
            result.verdict = .contradicted
            result.reason = "\(ci) lies entirely beyond \(within): the change is larger than the margin"
        } else {
            result.verdict = .inconclusive
            result.reason = "\(ci) is neither within nor beyond \(within) (\(ps))"
        }
        if let note = m.note { result.reason += "; \(note)" }
    }
}

/// Compact numbers for reasons and tables: 4 significant digits.
func format(_ x: Double) -> String {
    guard x.isFinite else { return String(x) }
    if x == 0 { return "0" }
    let a = abs(x)
    if a >= 1e-3 && a < 1e5 {
        let digits = max(0, 3 - Int(a.log10Floor))
        var s = String(format: "%.\(digits)f", x)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
    return String(format: "%.3g", x)
}

private extension Double {
    var log10Floor: Double { (Foundation.log10(self)).rounded(.down) }
}
