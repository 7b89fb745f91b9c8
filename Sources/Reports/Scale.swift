import Foundation

/// A map from a data interval onto a pixel interval, linear or base-10 logarithmic.
///
/// ```
/// linear: px = r0 + (v − d0) / (d1 − d0) · (r1 − r0)
/// log:    px = r0 + (log10 v − log10 d0) / (log10 d1 − log10 d0) · (r1 − r0)
/// ```
struct Scale {
    enum Kind: String { case linear, log }

    var kind: Kind
    var domain: (lower: Double, upper: Double)
    var range: (start: Double, end: Double)

    private func t(_ v: Double) -> Double { kind == .log ? log10(v) : v }

    /// The pixel position of `value`; values outside the domain extrapolate.
    func callAsFunction(_ value: Double) -> Double {
        let d0 = t(domain.lower), d1 = t(domain.upper)
        precondition(d1 > d0, "[Scale] empty domain \(domain)")
        return range.start + (t(value) - d0) / (d1 - d0) * (range.end - range.start)
    }

    /// The data value at pixel `position`.
    func invert(_ position: Double) -> Double {
        let d0 = t(domain.lower), d1 = t(domain.upper)
        let u = d0 + (position - range.start) / (range.end - range.start) * (d1 - d0)
        return kind == .log ? pow(10, u) : u
    }
}

/// Tick positions and labels for an axis.
enum Ticks {
    /// A "nice" domain enclosing `[lower, upper]` and evenly spaced ticks on steps of 1, 2 or 5 × 10^k.
    ///
    /// Heckbert, "Nice numbers for graph labels", Graphics Gems (1990). A degenerate interval
    /// (one value, or constant data) is widened by 10 % of its magnitude (or ±1 around zero) first.
    static func linear(lower: Double, upper: Double, target: Int = 5) -> (domain: (Double, Double), ticks: [Double], step: Double) {
        precondition(lower.isFinite && upper.isFinite, "[Ticks] non-finite bounds \(lower), \(upper)")
        var lo = min(lower, upper), hi = max(lower, upper)
        if hi - lo <= 1e-12 * max(1, abs(lo), abs(hi)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        // Rounding the raw step (rather than first the range, as in Heckbert's loose labelling)
        // keeps close to `target` ticks once the limits hug the data.
        let step = niceNumber((hi - lo) / Double(max(target - 1, 1)), round: true)
        var first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        // Division can land a hair past an exact multiple; the domain must still enclose the data.
        if first * step > lo { first -= 1 }
        if last * step < hi { last += 1 }
        let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
        return ((first * step, last * step), ticks, step)
    }

    /// Decade ticks (with 2 and 5 in between when the span is at most two decades) for positive data.
    static func log(lower: Double, upper: Double) -> (domain: (Double, Double), ticks: [Double]) {
        precondition(lower > 0 && upper > 0, "[Ticks] log axis needs positive bounds, got \(lower), \(upper)")
        let e0 = Foundation.log10(min(lower, upper)).rounded(.down)
        var e1 = Foundation.log10(max(lower, upper)).rounded(.up)
        if e1 <= e0 { e1 = e0 + 1 }
        let mantissas: [Double] = e1 - e0 <= 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for e in stride(from: e0, through: e1, by: 1) {
            for m in mantissas where e < e1 || m == 1 { ticks.append(m * pow(10, e)) }
        }
        return ((pow(10, e0), pow(10, e1)), ticks)
    }

    /// Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near `x`.
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        let exponent = Foundation.log10(x).rounded(.down)
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// A tick label with just enough decimals for ticks `step` apart.
    ///
    /// Large numbers, and steps so fine that fixed notation would need many decimals, switch to
    /// exponent notation with as many significant digits as the step needs (`4e+08`, `12.34000002`).
    static func label(_ value: Double, step: Double, largest: Double? = nil) -> String {
        let stepExponent = Int(Foundation.log10(step).rounded(.down))
        let decimals = max(0, -stepExponent)
        let magnitude = max(abs(value), abs(largest ?? value))
        if magnitude < 1e7 && decimals <= 6 { return Format.fixed(value, decimals: decimals) }
        let valueExponent = magnitude > 0 ? Int(Foundation.log10(magnitude).rounded(.down)) : stepExponent
        return Format.general(value, significantDigits: valueExponent - stepExponent + 1)
    }

    /// A label for a log-axis tick.
    static func logLabel(_ value: Double) -> String { Format.general(value) }
}

/// Number formatting that never produces "nan", "-0" or locale-dependent separators.
enum Format {
    /// `value` with `decimals` digits after the point; "−0" becomes "0".
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "—" }
        let text = String(format: "%.\(max(0, min(decimals, 12)))f", value)
        return isNegativeZero(text) ? String(text.dropFirst()) : text
    }

    /// Up to `significantDigits` significant digits in the shortest form (`0.001`, `1e-05`, `1.234e+07`).
    static func general(_ value: Double, significantDigits: Int = 4) -> String {
        guard value.isFinite else { return "—" }
        let text = String(format: "%.\(min(max(significantDigits, 1), 17))g", value)
        return isNegativeZero(text) ? String(text.dropFirst()) : text
    }

    /// A pixel coordinate with at most two decimals and no trailing zeros.
    static func coordinate(_ value: Double) -> String {
        assert(value.isFinite, "[SVG] non-finite coordinate")
        guard value.isFinite else { return "0" }
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// A data value for a `data-*` attribute: round-trippable, never NaN.
    static func data(_ value: Double) -> String {
        assert(value.isFinite, "[SVG] non-finite data value")
        return value.isFinite ? "\(value)" : "0"
    }

    /// A measured value for tables: 3 significant decimals scaled to its size, `—` when missing.
    static func measurement(_ value: Double?, error: Double? = nil) -> String {
        guard let value, value.isFinite else { return "—" }
        let decimals = abs(value) >= 100 ? 1 : abs(value) >= 10 ? 2 : 3
        let main = fixed(value, decimals: decimals)
        guard let error, error.isFinite else { return main }
        return main + " ± " + fixed(error, decimals: decimals)
    }

    /// An accuracy in [0, 1] as a percentage with one decimal.
    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return fixed(value * 100, decimals: 1) + " %"
    }

    /// A confidence level as a percentage without needless decimals: 0.95 → `95 %`.
    static func percentLevel(_ level: Double) -> String {
        general(level * 100, significantDigits: 3) + " %"
    }

    private static func isNegativeZero(_ text: String) -> Bool {
        text.hasPrefix("-") && text.dropFirst().allSatisfy { $0 == "0" || $0 == "." }
    }
}
