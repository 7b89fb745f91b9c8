import Tensors

/// Inverted dropout (Srivastava et al. 2014; `torch.nn.Dropout(p)`), seeded from a
/// ``RandomStream`` so that a run is reproducible.
///
/// ```
/// training   mᵢ = [uᵢ ≥ p] / (1 − p),  uᵢ ~ U[0, 1) from the layer's stream;   y = m ⊙ x
/// eval       y = x
/// backward   ∂x = m ⊙ ∂y
/// ```
/// Each training forward draws one uniform per scalar, in row-major order.
public final class Dropout: Layer, ScratchOwner {
    public let probability: Double
    /// The stream the masks are drawn from; it advances with every training forward.
    public var rng: RandomStream
    public let tape = LayerTape()
    private var features = 0
    private let mask = Scratch<Float>()
    private var recordedBatch = 0

    public init(probability: Double, rng: RandomStream) {
        precondition(probability >= 0 && probability < 1, "[Dropout] probability \(probability) is outside [0, 1)")
        self.probability = probability
        self.rng = rng
    }

    public var summary: String { "Dropout(\(probability))" }
    var reservedBytes: Int { mask.bytes }
    public var canRunInPlace: Bool { true }
    public var backwardReadsInput: Bool { false }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        features = inputShape.reduce(1, *)
        return inputShape
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let count = batch * features
        guard training, probability > 0 else {
            if UnsafePointer(y) != x { y.update(from: x, count: count) }
            return
        }
        recordedBatch = batch
        let m = mask.reserve(count)
        let keep = Float(1 / (1 - probability))
        for i in 0..<count { m[i] = rng.uniform() >= probability ? keep : 0 }
        for i in 0..<count { y[i] = x[i] * m[i] }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        let count = batch * features
        guard probability > 0 else {
            if UnsafePointer(dx) != dy { dx.update(from: dy, count: count) }
            return
        }
        precondition(batch == recordedBatch, "[Dropout.backward] batch \(batch) differs from the last training forward's \(recordedBatch)")
        let m = mask.pointer
        for i in 0..<count { dx[i] = dy[i] * m[i] }
    }
}
