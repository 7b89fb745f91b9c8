import Foundation
import Tensors

/// The update shared by ``Adam`` and ``AdamW``, in PyTorch's arithmetic order
/// (`torch.optim.Adam`/`AdamW`, `amsgrad=False`).
enum AdamUpdate {
    static func step(_ parameters: [Parameter], slots: inout OptimizerSlots, learningRate: Double, beta1: Double,
                     beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool) {
        let b1 = Float(beta1), b2 = Float(beta2), eps = Float(epsilon)
        for p in parameters {
            let slot = slots.slot(for: p)
            slot.steps += 1
            let t = Double(slot.steps)
            let correction1 = 1 - Foundation.pow(beta1, t)
            let correction2 = 1 - Foundation.pow(beta2, t)
            let stepSize = Float(learningRate / correction1)
            let inverseRoot2 = Float(1 / correction2.squareRoot())
            let decay = Float(weightDecay)
            let shrink = Float(1 - learningRate * weightDecay)
            slot.first.withUnsafeMutableBufferPointer { mb in
                slot.second.withUnsafeMutableBufferPointer { vb in
                    let m = mb.baseAddress!, v = vb.baseAddress!
                    // Elementwise, so large parameters are split across the stage's workers.
                    p.withValueAndGradient { theta, grad, n in
                        Parallelism.elementwise(n) { r in
                            for i in r {
                                var g = grad[i]
                                if decoupled {
                                    theta[i] *= shrink
                                } else {
                                    g += decay * theta[i]
                                }
                                m[i] = b1 * m[i] + (1 - b1) * g
                                v[i] = b2 * v[i] + (1 - b2) * g * g
                                let denominator = v[i].squareRoot() * inverseRoot2 + eps
                                theta[i] -= stepSize * m[i] / denominator
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Adam (Kingma & Ba 2015) with bias correction, as `torch.optim.Adam`; weight decay, if any,
/// is added to the gradient (L2 regularisation).
///
/// ```
/// g ← ∇θ + λ θ
/// m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²           (m, v start at 0)
/// m̂ = m / (1 − β₁ᵗ)               v̂ = v / (1 − β₂ᵗ)                (t counts this parameter's steps)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// ```
public final class Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    private var slots = OptimizerSlots(moments: 2)
    public var updatesParametersIndependently: Bool { true }

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && weightDecay >= 0,
                     "[Adam] betas (\(beta1), \(beta2)) must lie in [0, 1), epsilon \(epsilon) > 0, weight decay \(weightDecay) ≥ 0")
        (self.learningRate, self.beta1, self.beta2, self.epsilon, self.weightDecay) =
            (learningRate, beta1, beta2, epsilon, weightDecay)
    }

    public func step(_ parameters: [Parameter]) {
        AdamUpdate.step(parameters, slots: &slots, learningRate: learningRate, beta1: beta1, beta2: beta2,
                        epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as `torch.optim.AdamW`.
///
/// ```
/// θ ← θ (1 − η λ)                                                  (before the Adam step)
/// m ← β₁ m + (1 − β₁) g          v ← β₂ v + (1 − β₂) g²
/// θ ← θ − η m̂ / (√v̂ + ε)          m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
/// ```
/// PyTorch's default λ is 0.01.
public final class AdamW: Optimizer {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    private var slots = OptimizerSlots(moments: 2)
    public var updatesParametersIndependently: Bool { true }

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0.01) {
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && weightDecay >= 0,
                     "[AdamW] betas (\(beta1), \(beta2)) must lie in [0, 1), epsilon \(epsilon) > 0, weight decay \(weightDecay) ≥ 0")
        (self.learningRate, self.beta1, self.beta2, self.epsilon, self.weightDecay) =
            (learningRate, beta1, beta2, epsilon, weightDecay)
    }

    public func step(_ parameters: [Parameter]) {
        AdamUpdate.step(parameters, slots: &slots, learningRate: learningRate, beta1: beta1, beta2: beta2,
                        epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}
