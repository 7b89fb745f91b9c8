import Testing
import Tensors
@testable import NeuralNets

/// Central finite differences against analytic gradients, in Float32 with the objective summed
/// in Double.
///
/// Step `h = 1e-2`; a coordinate passes when `|analytic − numeric| ≤ 2e-3 + 2e-2·|numeric|`,
/// which allows for Float32 round-off in the forward pass.
///
/// Kinks (ReLU at 0, a max-pool arg-max changing) are detected rather than hoped away. With
/// `c(s) = (f(x+s) − f(x−s))/2s` and the curvature gap `g(s) = (f(x+s) − 2f(x) + f(x−s))/s`,
/// ```
/// K = 2 |c(h) − c(h/2)| + |g(h/2) − g(h)/2|
/// ```
/// bounds the error a kink within `h` of `x` puts into `c(h)` when the function is piecewise
/// linear, and vanishes as O(h²) where it is smooth (curvature alone cancels in both terms). A
/// coordinate with `K` above half the tolerance is resampled — left out of the comparison — and
/// each test bounds how many may be, so a wrong kernel cannot hide behind the rule.
struct GradientChecker {
    static let step: Float = 1e-2
    var checked = 0
    var resampled = 0
    let label: String

    init(_ label: String) { self.label = label }

    static func tolerance(_ numeric: Double) -> Double { 2e-3 + 2e-2 * abs(numeric) }

    /// Compares `analytic` with the central difference of `objective(δ)`, the objective with one
    /// coordinate moved by δ.
    mutating func check(_ analytic: Float, _ what: @autoclosure () -> String, objective: (Float) -> Double) {
        let h = GradientChecker.step
        let centre = objective(0)
        let plus = objective(h), minus = objective(-h)
        let halfPlus = objective(h / 2), halfMinus = objective(-h / 2)
        let numeric = (plus - minus) / Double(2 * h)
        let halfNumeric = (halfPlus - halfMinus) / Double(h)
        let gap = (plus - 2 * centre + minus) / Double(h)
        let halfGap = (halfPlus - 2 * centre + halfMinus) / Double(h / 2)
        let kink = 2 * abs(numeric - halfNumeric) + abs(halfGap - gap / 2)
        if kink > GradientChecker.tolerance(numeric) / 2 {
            resampled += 1
            return
        }
        checked += 1
        #expect(abs(Double(analytic) - numeric) <= GradientChecker.tolerance(numeric),
                "\(label) \(what()): analytic \(analytic), numeric \(numeric)")
    }

    /// Fails unless at most `fraction` of the coordinates were resampled and some were checked.
    func expectMostlyChecked(maxResampled fraction: Double) {
        let total = checked + resampled
        #expect(checked > 0, "\(label): no coordinate was checked")
        #expect(Double(resampled) <= fraction * Double(total),
                "\(label): \(resampled) of \(total) coordinates sat on kinks (allowed \(fraction))")
    }

    /// `Σ rᵢ yᵢ` in Double: a random linear functional of the output, whose gradient is `r`.
    static func objective(_ y: FloatTensor, _ r: FloatTensor) -> Double {
        precondition(y.count == r.count, "[objective] \(y.count) outputs but \(r.count) weights")
        return zip(y.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Checks a layer's input gradient and every parameter gradient for the objective `Σ r·y`,
    /// evaluating perturbed outputs in `training` mode (batch statistics for batch norm).
    /// `prepare` runs before every forward (to replay a dropout stream, for example).
    static func checkLayer(_ layer: Layer, input x: FloatTensor, weights r: FloatTensor, training: Bool = true,
                           label: String, maxResampled: Double = 0, stride: Int = 1,
                           prepare: () -> Void = {}) {
        prepare()
        for p in layer.parameters { p.zeroGradient() }
        _ = layer.forward(x, training: true)
        let dx = layer.backward(r)
        let grads = layer.parameters.map(\.grad)
        var checker = GradientChecker(label)
        func output(_ input: FloatTensor) -> Double {
            prepare()
            return objective(layer.forward(input, training: training), r)
        }
        for i in Swift.stride(from: 0, to: x.count, by: stride) {
            checker.check(dx.scalars[i], "∂x[\(i)]") { delta in
                var moved = x
                moved.scalars[i] += delta
                return output(moved)
            }
        }
        for (p, grad) in zip(layer.parameters, grads) {
            for i in Swift.stride(from: 0, to: p.value.count, by: stride) {
                checker.check(grad.scalars[i], "∂\(p.name)[\(i)]") { delta in
                    let saved = p.value.scalars[i]
                    p.value.scalars[i] = saved + delta
                    defer { p.value.scalars[i] = saved }
                    return output(x)
                }
            }
        }
        checker.expectMostlyChecked(maxResampled: maxResampled)
    }
}
