import Foundation

/// Student's t distribution with ν degrees of freedom (ν > 0, not necessarily an integer, so
/// Welch–Satterthwaite degrees of freedom work too).
///
/// ```
/// P(|T| > t) = I_{ν/(ν+t²)}(ν/2, 1/2)
/// ```
/// where I_x(a, b) is the regularised incomplete beta function, evaluated by its continued
/// fraction with Lentz's method (Press et al., *Numerical Recipes*, 3rd ed., §6.4). Quantiles
/// invert the CDF by bisection to full double precision, so no table is involved.
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0 && degreesOfFreedom.isFinite,
                     "[StudentT] degrees of freedom must be positive and finite, got \(degreesOfFreedom)")
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(|T| > |t|): the two-sided tail probability.
    public func twoSidedTail(_ t: Double) -> Double {
        guard t.isFinite else { return t.isNaN ? .nan : 0 }
        let v = degreesOfFreedom
        return regularizedIncompleteBeta(x: v / (v + t * t), a: v / 2, b: 0.5)
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        let tail = twoSidedTail(t) / 2
        return t >= 0 ? 1 - tail : tail
    }

    /// The t with P(T ≤ t) = p, for p in (0, 1).
    ///
    /// - Complexity: about 60 incomplete-beta evaluations (doubling to a bracket, then bisection to one ulp).
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "[StudentT.quantile] p must lie in (0, 1), got \(p)")
        if p == 0.5 { return 0 }
        // Work in the upper half with the tail mass q = P(T > t) = 1 − p, which keeps precision
        // for p near 1 (1 − p is exact in the caller's terms when they pass it small).
        let upper = p > 0.5
        let q = upper ? 1 - p : p
        var lo = 0.0, hi = 1.0
        while twoSidedTail(hi) / 2 > q && hi < 1e300 { lo = hi; hi *= 2 }
        for _ in 0..<2000 {
            let mid = lo + (hi - lo) / 2
            if mid <= lo || mid >= hi { break }
            if twoSidedTail(mid) / 2 > q { lo = mid } else { hi = mid }
        }
        let t = lo + (hi - lo) / 2
        return upper ? t : -t
    }
}

/// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b).
///
/// ```
/// I_x(a, b) = x^a (1−x)^b / (a B(a, b)) · 1 / (1 + d₁/(1 + d₂/(1 + …)))
/// d_{2m+1} = −(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),  d_{2m} = m(b−m) x / ((a+2m−1)(a+2m))
/// ```
/// using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly
/// (Press et al., *Numerical Recipes*, 3rd ed., §6.4).
public func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0, "[regularizedIncompleteBeta] a and b must be positive, got a = \(a), b = \(b)")
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
}

private func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300, eps = 1e-16
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
        let m = Double(m), m2 = 2 * m
        var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < eps { break }
    }
    return h
}
