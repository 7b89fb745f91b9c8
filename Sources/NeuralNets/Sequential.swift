import Tensors

/// A chain of layers with named probe points.
///
/// A probe point (``ProbePoint``) names the output of a layer (e.g. `h1` after the first hidden
/// ReLU, `h1.pre` after the dense layer before it), the input (`input`), or a residual block's
/// pre-ReLU sum (`block1.sum`). ``activations(of:layers:batchSize:)`` streams a probe set through
/// the network in eval mode and collects the named values.
///
/// Inputs are rows of a matrix (or any tensor whose first axis is the batch) holding
/// `inputShape.reduce(1, *)` scalars per example; a `(N, 784)` Fashion-MNIST matrix feeds a
/// model built for `(1, 28, 28)` images unchanged.
///
/// The model owns its activation and gradient buffers and reuses them: after the first step at a
/// batch size, training allocates nothing, and memory stays bounded by the largest batch.
public final class Sequential {
    public let layers: [Layer]
    /// Every probe point in depth order, main and inner (see ``ProbePoint``).
    public let probePoints: [ProbePoint]
    /// Shape of one example, batch axis excluded.
    public let inputShape: [Int]
    let chain: Chain
    private let arena = InferenceArena()
    /// The training batch, copied in so it outlives the caller's tensor until `backward`.
    private let trainingInput = Scratch<Float>()
    private var trainedBatch = 0
    /// Rows per eval-mode pass: bounds the eval buffers to about 16 MiB each.
    let inferenceRows: Int

    /// A model of `layers` whose probe points are layer outputs, all of them main.
    /// `inputShape` is one example's shape; it may be omitted when the first layer is `Dense`.
    public convenience init(layers: [Layer], probePoints: [(name: String, layerIndex: Int)], inputShape: [Int]? = nil) {
        self.init(layers: layers, probes: probePoints.map { ProbePoint(name: $0.name, layerIndex: $0.layerIndex) },
                  inputShape: inputShape)
    }

    /// A model of `layers` with the given probe points. `inputShape` is one example's shape; it
    /// may be omitted when the first layer is `Dense`.
    public init(layers: [Layer], probes probePoints: [ProbePoint], inputShape: [Int]? = nil) {
        guard let shape = inputShape ?? (layers.first as? Dense).map({ [$0.inputDimensions] }) else {
            preconditionFailure("[Sequential] inputShape is required unless the first layer is Dense")
        }
        for p in probePoints {
            precondition(p.layerIndex >= -1 && p.layerIndex < layers.count,
                         "[Sequential] probe '\(p.name)' refers to layer \(p.layerIndex) of \(layers.count)")
            precondition(p.site == .output || (p.layerIndex >= 0 && layers[p.layerIndex] is ResidualBlock),
                         "[Sequential] probe '\(p.name)' reads a residual sum, layer \(p.layerIndex) is no residual block")
        }
        precondition(Set(probePoints.map(\.name)).count == probePoints.count,
                     "[Sequential] probe names \(probePoints.map(\.name)) are not unique")
        self.layers = layers
        self.probePoints = probePoints
        self.inputShape = shape
        chain = Chain(layers: layers, inputShape: shape)
        chain.attach(arena: arena, depth: 0)
        inferenceRows = max(16, min(1024, (1 << 22) / max(chain.widest, 1)))
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    /// Untrained state saved in checkpoints (batch-norm running statistics).
    public var buffers: [StateBuffer] { layers.flatMap(\.buffers) }
    /// Every probe point's name in depth order.
    public var probeNames: [String] { probePoints.map(\.name) }
    /// The default probe set: the main probe points' names (stage outputs) in depth order.
    public var mainProbeNames: [String] { probePoints.filter(\.isMain).map(\.name) }
    /// Scalars per example at the input and at the output.
    public var inputSize: Int { chain.inputSize }
    public var outputSize: Int { chain.outputSize }
    /// Per-example output shape of every layer.
    public var layerShapes: [[Int]] { chain.shapes }

    /// Bytes held in the model's reusable buffers (training activations and gradients, eval
    /// buffers, layer scratch). Constant once every batch size in use has been seen.
    public var workspaceBytes: Int { chain.reservedBytes + arena.reservedBytes + trainingInput.bytes }

    /// A readable multi-line description: one line per layer with its output shape.
    public var summary: String {
        var lines = ["input \(inputShape)"]
        for (i, layer) in layers.enumerated() {
            let probes = probePoints.filter { $0.layerIndex == i }.map { $0.site == .output ? $0.name : "\($0.name) inside" }
            lines.append("\(i): \(layer.summary) → \(chain.shapes[i])" + (probes.isEmpty ? "" : "  [\(probes.joined(separator: ", "))]"))
        }
        return lines.joined(separator: "\n")
    }

    private func checkInput(_ x: FloatTensor, _ op: String) -> Int {
        let batch = x.rank <= 1 ? 1 : x.rows
        precondition(x.count == batch * inputSize,
                     "[Sequential.\(op)] input shape \(x.shape) does not hold \(inputSize) scalars per example (model input \(inputShape))")
        return batch
    }

    /// The network's output, `(B, outputSize)`. In training mode the activations are kept for
    /// ``backward(_:)``; in eval mode the batch is processed in bounded chunks.
    public func forward(_ x: FloatTensor, training: Bool) -> FloatTensor {
        let batch = checkInput(x, "forward")
        var y = FloatTensor(shape: [batch, outputSize])
        guard batch > 0 else { return y }
        x.scalars.withUnsafeBufferPointer { px in
            y.scalars.withUnsafeMutableBufferPointer { py in
                if training {
                    let input = trainingInput.reserve(batch * inputSize)
                    input.update(from: px.baseAddress!, count: batch * inputSize)
                    let out = forwardTraining(batch: batch)
                    py.baseAddress!.update(from: out, count: batch * outputSize)
                } else {
                    infer(px.baseAddress!, rows: batch, into: py.baseAddress!)
                }
            }
        }
        return y
    }

    /// Backpropagates `dy = ∂L/∂output` of the last training forward, accumulating every
    /// parameter's gradient. The input gradient is not computed.
    public func backward(_ dy: FloatTensor) {
        precondition(dy.count == trainedBatch * outputSize,
                     "[Sequential.backward] gradient has \(dy.count) scalars, the last training output had \(trainedBatch * outputSize)")
        dy.scalars.withUnsafeBufferPointer { chain.backward($0.baseAddress!, input: trainingInput.pointer, into: nil) }
    }

    /// As ``backward(_:)``, also returning ∂L/∂input with the input's per-example shape.
    public func backwardToInput(_ dy: FloatTensor) -> FloatTensor {
        precondition(dy.count == trainedBatch * outputSize,
                     "[Sequential.backward] gradient has \(dy.count) scalars, the last training output had \(trainedBatch * outputSize)")
        var dx = FloatTensor(shape: [trainedBatch] + inputShape)
        dy.scalars.withUnsafeBufferPointer { g in
            dx.scalars.withUnsafeMutableBufferPointer { chain.backward(g.baseAddress!, input: trainingInput.pointer, into: $0.baseAddress!) }
        }
        return dx
    }

    /// Marks every gradient as zero (no memory is written; see ``Parameter``).
    public func zeroGradients() {
        for p in parameters { p.zeroGradient() }
    }

    // MARK: Engine entry points for the trainer

    /// Storage for the next training batch: fill `batch × inputSize` scalars, then call
    /// ``forwardTraining(batch:)``.
    func trainingBatch(_ batch: Int) -> UnsafeMutablePointer<Float> {
        trainingInput.reserve(batch * inputSize)
    }

    /// Training forward over the batch in ``trainingBatch(_:)``; returns the output rows.
    func forwardTraining(batch: Int) -> UnsafeMutablePointer<Float> {
        trainedBatch = batch
        return chain.forwardTraining(trainingInput.pointer, batch: batch)
    }

    /// Backward from `dy` (`batch × outputSize`), parameter gradients only; `finished(i)` runs
    /// once layer `i`'s parameter gradients are complete.
    func backwardTraining(_ dy: UnsafePointer<Float>, finished: ((Int) -> Void)? = nil) {
        chain.backward(dy, input: trainingInput.pointer, into: nil, finished: finished)
    }

    /// Eval-mode outputs for `rows` examples at `x`, written to `y`, in bounded chunks.
    func infer(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < rows {
            let n = min(inferenceRows, rows - start)
            chain.forwardInference(x + start * inputSize, batch: n, into: y + start * outputSize)
            start += n
        }
    }

    /// Activations at the named probe points for every row of `inputs`, in eval mode, as
    /// `(rows, features)` matrices. Names that are not probe points are ignored.
    ///
    /// Rows are processed `batchSize` at a time so the network's temporaries stay bounded. Only the
    /// layers whose outputs are asked for are kept unfused, and a residual block computes its
    /// pre-ReLU sum apart only when `blockK.sum` is asked for.
    public func activations(of inputs: FloatTensor, layers names: [String], batchSize: Int = 512) -> [String: FloatTensor] {
        let rows = checkInput(inputs, "activations")
        let wanted = probePoints.filter { names.contains($0.name) }
        let widths = wanted.map { $0.layerIndex < 0 ? inputSize : chain.sizes[$0.layerIndex] }
        var collected = widths.map { [Float](repeating: 0, count: rows * $0) }
        var keep = [Bool](repeating: false, count: layers.count)
        for point in wanted where point.layerIndex >= 0 && point.site == .output { keep[point.layerIndex] = true }
        let sums = wanted.enumerated().filter { $0.element.site == .residualSum }
        let step = max(1, min(batchSize, inferenceRows))
        var start = 0, n = 0
        func store(_ k: Int, _ h: UnsafePointer<Float>) {
            collected[k].withUnsafeMutableBufferPointer {
                ($0.baseAddress! + start * widths[k]).update(from: h, count: n * widths[k])
            }
        }
        for (k, point) in sums {
            (layers[point.layerIndex] as? ResidualBlock)?.observeSum = { store(k, $0) }
        }
        defer { for (_, point) in sums { (layers[point.layerIndex] as? ResidualBlock)?.observeSum = nil } }
        inputs.scalars.withUnsafeBufferPointer { px in
            while start < rows {
                n = min(step, rows - start)
                let x = px.baseAddress! + start * inputSize
                for (k, point) in wanted.enumerated() where point.layerIndex == -1 { store(k, x) }
                chain.forwardInference(x, batch: n, wanted: keep) { index, h in
                    guard keep[index] else { return }
                    for (k, point) in wanted.enumerated() where point.layerIndex == index && point.site == .output { store(k, h) }
                }
                start += n
            }
        }
        var out: [String: FloatTensor] = [:]
        for (k, point) in wanted.enumerated() { out[point.name] = FloatTensor(shape: [rows, widths[k]], scalars: collected[k]) }
        return out
    }
}
