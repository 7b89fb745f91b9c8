import Tensors

/// A trainable tensor and the gradient accumulated for it by the last backward pass.
public final class Parameter {
    /// PyTorch-style name within the model, e.g. `0.weight`.
    public var name: String
    public var value: FloatTensor
    public var grad: FloatTensor

    public init(name: String, value: FloatTensor) {
        self.name = name
        self.value = value
        self.grad = FloatTensor(shape: value.shape)
    }
}

/// A differentiable map. `forward` caches what `backward` needs; `backward` takes ∂L/∂output,
/// accumulates ∂L/∂parameters into each ``Parameter/grad``, and returns ∂L/∂input.
public protocol Layer: AnyObject {
    /// Short description for summaries, e.g. `Dense(784→256)`.
    var summary: String { get }
    var parameters: [Parameter] { get }
    func forward(_ x: FloatTensor, training: Bool) -> FloatTensor
    func backward(_ dy: FloatTensor) -> FloatTensor
}

extension Layer {
    public var parameters: [Parameter] { [] }
}
