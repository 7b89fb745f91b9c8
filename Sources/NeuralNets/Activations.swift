import Foundation
import Tensors

/// Elementwise nonlinearities, by name in a spec.
public enum ActivationKind: String, Sendable, CaseIterable, Codable {
    case relu, tanh, gelu, identity
}

/// An elementwise activation layer.
///
/// ```
/// relu      y = max(0, x)                      ∂x = ∂y · [x > 0]
/// tanh      y = tanh x                         ∂x = ∂y · (1 − y²)
/// gelu      y = x Φ(x)  (exact, erf form)      ∂x = ∂y · (Φ(x) + x φ(x))     Hendrycks & Gimpel 2016
/// identity  y = x                              ∂x = ∂y
/// ```
public final class Activation: Layer {
    public let kind: ActivationKind
    private var input = FloatTensor(shape: [0])
    private var output = FloatTensor(shape: [0])

    public init(_ kind: ActivationKind) { self.kind = kind }

    public var summary: String { kind.rawValue }

    public func forward(_ x: FloatTensor, training: Bool) -> FloatTensor {
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { v in
            switch kind {
            case .relu: for i in v.indices where v[i] < 0 { v[i] = 0 }
            case .tanh: for i in v.indices { v[i] = Foundation.tanh(v[i]) }
            case .gelu:
                for i in v.indices {
                    let t = Double(v[i])
                    v[i] = Float(0.5 * t * (1 + erf(t / 2.0.squareRoot())))
                }
            case .identity: break
            }
        }
        if training {
            input = x
            output = y
        }
        return y
    }

    public func backward(_ dy: FloatTensor) -> FloatTensor {
        precondition(dy.count == input.count, "[\(kind).backward] gradient has \(dy.count) elements, input had \(input.count)")
        var dx = dy
        dx.scalars.withUnsafeMutableBufferPointer { g in
            switch kind {
            case .relu:
                input.scalars.withUnsafeBufferPointer { x in
                    for i in g.indices where !(x[i] > 0) { g[i] = 0 }
                }
            case .tanh:
                output.scalars.withUnsafeBufferPointer { y in
                    for i in g.indices { g[i] *= 1 - y[i] * y[i] }
                }
            case .gelu:
                input.scalars.withUnsafeBufferPointer { x in
                    for i in g.indices {
                        let t = Double(x[i])
                        let cdf = 0.5 * (1 + erf(t / 2.0.squareRoot()))
                        let pdf = exp(-0.5 * t * t) / (2 * Double.pi).squareRoot()
                        g[i] = Float(Double(g[i]) * (cdf + t * pdf))
                    }
                }
            case .identity: break
            }
        }
        return dx
    }
}
