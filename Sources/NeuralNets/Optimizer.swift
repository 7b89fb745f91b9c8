import Tensors

/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// Learning rate for the next step (schedules set it before each step).
    var learningRate: Double { get set }
    /// One update of every parameter in `parameters` from its current gradient.
    func step(_ parameters: [Parameter])
    /// Whether each parameter's update depends only on its own gradient and state, so that a
    /// training step may be taken in parts (layer by layer, as gradients complete). False unless
    /// an optimizer says so; SGD, Adam and AdamW do.
    var updatesParametersIndependently: Bool { get }
}

extension Optimizer {
    public var updatesParametersIndependently: Bool { false }
}

/// Per-parameter optimizer state: up to two moment buffers and a step count.
final class OptimizerSlot {
    /// Held so that the identifier of a released parameter is never mistaken for a new one's.
    let owner: Parameter
    var first: [Float]
    var second: [Float]
    var steps = 0

    init(owner: Parameter, moments: Int) {
        self.owner = owner
        first = moments >= 1 ? [Float](repeating: 0, count: owner.value.count) : []
        second = moments >= 2 ? [Float](repeating: 0, count: owner.value.count) : []
    }
}

/// The slots of an optimizer, by parameter identity.
struct OptimizerSlots {
    private var slots: [ObjectIdentifier: OptimizerSlot] = [:]
    let moments: Int

    init(moments: Int) { self.moments = moments }

    mutating func slot(for p: Parameter) -> OptimizerSlot {
        let id = ObjectIdentifier(p)
        if let s = slots[id], s.owner === p, s.first.count == (moments >= 1 ? p.value.count : 0) { return s }
        let s = OptimizerSlot(owner: p, moments: moments)
        slots[id] = s
        return s
    }
}

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD` (no dampening).
///
/// ```
/// g ← ∇θ + λ θ                (weight decay λ)
/// v ← μ v + g                 (v = g on the first step)
/// θ ← θ − η v                 (Nesterov: θ ← θ − η (g + μ v))
/// ```
/// With μ = 0 there is no velocity and Nesterov changes nothing (PyTorch refuses that
/// combination; here it is plain SGD).
/// Sutskever et al. 2013.
public final class SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let nesterov: Bool
    public let weightDecay: Double
    private var slots = OptimizerSlots(moments: 1)
    public var updatesParametersIndependently: Bool { true }

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        precondition(momentum >= 0 && weightDecay >= 0,
                     "[SGD] momentum \(momentum) and weight decay \(weightDecay) must be ≥ 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let eta = Float(learningRate), mu = Float(momentum), lambda = Float(weightDecay)
        for p in parameters {
            if mu == 0 {
                p.withValueAndGradient { theta, grad, n in
                    Parallelism.elementwise(n) { r in
                        for i in r { theta[i] -= eta * (grad[i] + lambda * theta[i]) }
                    }
                }
                continue
            }
            let slot = slots.slot(for: p)
            let first = slot.steps == 0
            slot.steps += 1
            slot.first.withUnsafeMutableBufferPointer { vb in
                let v = vb.baseAddress!
                // Elementwise, so large parameters are split across the stage's workers.
                p.withValueAndGradient { theta, grad, n in
                    Parallelism.elementwise(n) { r in
                        switch (first, nesterov, lambda == 0) {
                        case (false, false, true):
                            // The common case, kept branch-free so that it vectorises.
                            for i in r {
                                let u = mu * v[i] + grad[i]
                                v[i] = u
                                theta[i] -= eta * u
                            }
                        default:
                            for i in r {
                                let g = grad[i] + lambda * theta[i]
                                let u = first ? g : mu * v[i] + g
                                v[i] = u
                                theta[i] -= eta * (nesterov ? g + mu * u : u)
                            }
                        }
                    }
                }
            }
        }
    }
}
