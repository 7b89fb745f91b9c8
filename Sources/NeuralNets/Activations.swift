import Foundation
import Tensors

/// Elementwise nonlinearities, by name in a spec.
public enum ActivationKind: String, Sendable, CaseIterable, Codable {
    case relu, tanh, gelu, identity
}

/// An elementwise activation layer.
///
/// ```
/// relu      y = max(0, x)                      ∂x = ∂y · [y > 0]
/// tanh      y = tanh x                         ∂x = ∂y · (1 − y²)
/// gelu      y = x Φ(x)  (exact, erf form)      ∂x = ∂y · (Φ(x) + x φ(x))     Hendrycks & Gimpel 2016
/// identity  y = x                              ∂x = ∂y
/// ```
/// ReLU and tanh differentiate from their output, so they run in place over their input.
/// At the ReLU kink (x = 0) the derivative is taken as 0, as in PyTorch.
public final class Activation: Layer {
    public let kind: ActivationKind
    public let tape = LayerTape()
    /// Scalars per example, fixed by ``configure(inputShape:)``.
    private var features = 0

    public init(_ kind: ActivationKind) { self.kind = kind }

    public var summary: String { kind.rawValue }
    public var canRunInPlace: Bool { kind != .gelu }
    public var backwardReadsInput: Bool { kind == .gelu }
    public var backwardReadsOutput: Bool { kind == .relu || kind == .tanh }

    public func configure(inputShape: [Int]) -> [Int] {
        features = inputShape.reduce(1, *)
        return inputShape
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let count = batch * features
        apply(x, into: y, count: count)
    }

    /// The elementwise map over `count` scalars (`y` may be `x`).
    func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        switch kind {
        case .relu:
            Parallelism.elementwise(count) { r in Kernels.relu(x + r.lowerBound, into: y + r.lowerBound, count: r.count) }
        case .tanh:
            Parallelism.elementwise(count) { r in for i in r { y[i] = Foundation.tanh(x[i]) } }
        case .gelu:
            Parallelism.elementwise(count) { r in
                for i in r {
                    let t = Double(x[i])
                    y[i] = Float(0.5 * t * (1 + erf(t / 2.0.squareRoot())))
                }
            }
        case .identity:
            if UnsafePointer(y) != x { y.update(from: x, count: count) }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        let count = batch * features
        switch kind {
        case .relu:
            Parallelism.elementwise(count) { r in
                Kernels.reluBackward(dy + r.lowerBound, output: y + r.lowerBound, into: dx + r.lowerBound, count: r.count)
            }
        case .tanh:
            Parallelism.elementwise(count) { r in for i in r { dx[i] = dy[i] * (1 - y[i] * y[i]) } }
        case .gelu:
            Parallelism.elementwise(count) { r in
                for i in r {
                    let t = Double(x[i])
                    let cdf = 0.5 * (1 + erf(t / 2.0.squareRoot()))
                    let pdf = exp(-0.5 * t * t) / (2 * Double.pi).squareRoot()
                    dx[i] = Float(Double(dy[i]) * (cdf + t * pdf))
                }
            }
        case .identity:
            if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
        }
    }
}
