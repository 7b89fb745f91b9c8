import Tensors

/// A trainable tensor and the gradient accumulated for it by the last backward pass.
///
/// ``Sequential/zeroGradients()`` does not touch memory: it marks the gradient as zero, and the
/// next backward pass overwrites it (`β = 0` in the GEMM) instead of adding to it. Reading
/// ``grad`` while it is marked zero returns zeros, so the observable behaviour is that of an
/// explicit fill.
public final class Parameter {
    /// PyTorch-style name within the model, e.g. `0.weight`.
    public var name: String
    public var value: FloatTensor
    private var gradientStorage: FloatTensor
    /// Whether `gradientStorage` holds stale numbers that stand for zero.
    private(set) var gradientIsZero = false

    public init(name: String, value: FloatTensor) {
        self.name = name
        self.value = value
        self.gradientStorage = FloatTensor(shape: value.shape)
    }

    /// ∂L/∂value, accumulated over backward passes since the last ``Sequential/zeroGradients()``.
    public var grad: FloatTensor {
        get { gradientIsZero ? FloatTensor(shape: gradientStorage.shape) : gradientStorage }
        set {
            gradientStorage = newValue
            gradientIsZero = false
        }
    }

    /// Marks the gradient as zero without writing memory.
    public func zeroGradient() { gradientIsZero = true }

    /// Lets a backward pass add into the gradient: `body(g, β)` must compute `g ← β g + ∂L/∂value`.
    /// `β` is 0 right after ``zeroGradient()`` (the old contents are garbage) and 1 otherwise.
    @inline(__always)
    func accumulateGradient(_ body: (UnsafeMutablePointer<Float>, Float) -> Void) {
        if gradientStorage.count != value.count {
            // The value was replaced by one of another shape: start its gradient afresh.
            gradientStorage = FloatTensor(shape: value.shape)
            gradientIsZero = true
        }
        let beta: Float = gradientIsZero ? 0 : 1
        gradientStorage.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress!, beta) }
        gradientIsZero = false
    }

    /// Runs `body` with the value (mutable) and the gradient (read-only), as optimizers need them.
    @inline(__always)
    func withValueAndGradient<R>(_ body: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> R) -> R {
        if gradientIsZero || gradientStorage.count != value.count {
            gradientStorage = FloatTensor(shape: value.shape)
            gradientIsZero = false
        }
        let n = value.count
        return value.scalars.withUnsafeMutableBufferPointer { v in
            gradientStorage.scalars.withUnsafeBufferPointer { g in body(v.baseAddress!, g.baseAddress!, n) }
        }
    }

    /// Runs `body` with the value read-only.
    @inline(__always)
    func withValue<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
        value.scalars.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// Named state of a layer that is saved in checkpoints but not trained, such as batch
/// normalisation's running mean and variance (PyTorch's *buffers*).
public final class StateBuffer {
    /// PyTorch-style name within the model, e.g. `bn1.running_mean`.
    public var name: String
    public var value: FloatTensor

    public init(name: String, value: FloatTensor) {
        self.name = name
        self.value = value
    }
}

/// The tensors a layer saw in its last training-mode ``Layer/forward(_:training:)`` call on
/// tensors, for ``Layer/backward(_:)`` on tensors.
public final class LayerTape {
    var input = FloatTensor(shape: [0])
    var output = FloatTensor(shape: [0])
    public init() {}
}

/// A differentiable map on batches of examples.
///
/// Two levels share one implementation:
/// - the batch kernels, ``forward(_:into:batch:training:)`` and
///   ``backward(input:output:outputGradient:inputGradient:batch:)``, read and write caller-owned
///   row-major buffers. The training engine preallocates those buffers once per batch size, so a
///   step allocates nothing.
/// - the tensor methods ``forward(_:training:)`` and ``backward(_:)`` wrap the kernels for scripts
///   and tests; the forward caches what the backward needs in ``tape``.
///
/// `backward` accumulates ∂L/∂parameters into each ``Parameter/grad`` and writes ∂L/∂input.
public protocol Layer: AnyObject {
    /// Short description for summaries, e.g. `Dense(784→256)`.
    var summary: String { get }
    var parameters: [Parameter] { get }
    /// Untrained state saved in checkpoints.
    var buffers: [StateBuffer] { get }
    /// Storage for the tensor-level `forward`/`backward` pair.
    var tape: LayerTape { get }

    /// Fixes the layer's geometry for one example of `inputShape` (batch axis excluded) and
    /// returns one example's output shape. Fails a precondition if the shape does not fit.
    func configure(inputShape: [Int]) -> [Int]

    /// Writes the outputs for `batch` examples at `x` into `y`.
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool)

    /// Given the last training forward's input `x`, output `y` and `dy = ∂L/∂y`, accumulates
    /// parameter gradients and, unless `dx` is nil, writes `∂L/∂x` into it.
    func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                  outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                  batch: Int)

    /// Whether `forward` may write `y` over `x` (elementwise layers).
    var canRunInPlace: Bool { get }
    /// Whether `backward` reads `x`; if not, a later layer may overwrite it.
    var backwardReadsInput: Bool { get }
    /// Whether `backward` reads `y`; if not, a later in-place layer may overwrite it.
    var backwardReadsOutput: Bool { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [StateBuffer] { [] }
    public var canRunInPlace: Bool { false }
    public var backwardReadsInput: Bool { true }
    public var backwardReadsOutput: Bool { true }

    /// The layer applied to a batch tensor whose first axis is the batch.
    public func forward(_ x: FloatTensor, training: Bool) -> FloatTensor {
        let batch = x.rank <= 1 ? 1 : x.rows
        let outShape = configure(inputShape: x.rank <= 1 ? [x.count] : Array(x.shape.dropFirst()))
        var y = FloatTensor(shape: [batch] + outShape)
        if batch > 0 && x.count > 0 && y.count > 0 {
            x.scalars.withUnsafeBufferPointer { px in
                y.scalars.withUnsafeMutableBufferPointer { py in
                    forward(px.baseAddress!, into: py.baseAddress!, batch: batch, training: training)
                }
            }
        }
        if training {
            tape.input = x
            tape.output = y
        }
        return y
    }

    /// ∂L/∂input for `dy = ∂L/∂output` of the last training-mode tensor ``forward(_:training:)``.
    public func backward(_ dy: FloatTensor) -> FloatTensor {
        let x = tape.input, y = tape.output
        precondition(dy.count == y.count,
                     "[\(summary).backward] gradient has \(dy.count) elements, the last training output had \(y.count)")
        var dx = FloatTensor(shape: x.shape)
        let batch = x.rank <= 1 ? 1 : x.rows
        guard batch > 0, x.count > 0, y.count > 0 else { return dx }
        x.scalars.withUnsafeBufferPointer { px in
            y.scalars.withUnsafeBufferPointer { py in
                dy.scalars.withUnsafeBufferPointer { pdy in
                    dx.scalars.withUnsafeMutableBufferPointer { pdx in
                        backward(input: px.baseAddress!, output: py.baseAddress!, outputGradient: pdy.baseAddress!,
                                 inputGradient: pdx.baseAddress!, batch: batch)
                    }
                }
            }
        }
        return dx
    }
}
