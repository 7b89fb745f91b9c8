import Tensors

/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// Learning rate for the next step (schedules set it before each step).
    var learningRate: Double { get set }
    func step(_ parameters: [Parameter])
}

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD`.
///
/// ```
/// g ← ∇θ + λ θ                (weight decay λ)
/// v ← μ v + g                 (v = g on the first step)
/// θ ← θ − η v                 (Nesterov: θ ← θ − η (g + μ v))
/// ```
/// Sutskever et al. 2013.
public final class SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let nesterov: Bool
    public let weightDecay: Double
    private var velocity: [ObjectIdentifier: [Float]] = [:]

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let eta = Float(learningRate), mu = Float(momentum), lambda = Float(weightDecay)
        for p in parameters {
            let id = ObjectIdentifier(p)
            let first = velocity[id] == nil
            var v = velocity.removeValue(forKey: id) ?? [Float](repeating: 0, count: p.value.count)
            p.value.scalars.withUnsafeMutableBufferPointer { theta in
                p.grad.scalars.withUnsafeBufferPointer { grad in
                    v.withUnsafeMutableBufferPointer { vel in
                        for i in theta.indices {
                            var g = grad[i]
                            if lambda != 0 { g += lambda * theta[i] }
                            if mu != 0 {
                                vel[i] = first ? g : mu * vel[i] + g
                                g = nesterov ? g + mu * vel[i] : vel[i]
                            }
                            theta[i] -= eta * g
                        }
                    }
                }
            }
            velocity[id] = v
        }
    }
}
