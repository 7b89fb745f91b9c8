import Tensors

/// Buffers for eval-mode passes, shared by a model and the blocks inside it.
///
/// A chain at nesting depth `d` uses buffers `3d` and `3d + 1` as ping-pong and `3d + 2` as a
/// spare; a block inside it runs its own chains at depth `d + 1`. Memory is therefore a few
/// batch-sized buffers per depth, whatever the number of layers.
final class InferenceArena: ScratchOwner {
    private var buffers: [Scratch<Float>] = []

    var reservedBytes: Int { buffers.reduce(0) { $0 + $1.bytes } }

    func buffer(_ index: Int, count: Int) -> UnsafeMutablePointer<Float> {
        while buffers.count <= index { buffers.append(Scratch()) }
        return buffers[index].reserve(count)
    }
}

/// A layer made of other layers (a residual block): it runs its inner chains on the model's
/// ``InferenceArena`` one level deeper than its own.
protocol CompositeLayer: Layer {
    var sublayers: [Layer] { get }
    func attach(arena: InferenceArena, depth: Int)
}

/// The engine under ``Sequential`` and the residual blocks: runs a list of layers over buffers
/// it owns and reuses.
///
/// Training mode keeps every layer's output until the backward pass (layers that run in place
/// share their input's buffer when no backward pass needs the overwritten values); gradients
/// flow through two ping-pong buffers. A `Dense` or `BatchNorm` followed by an in-place ReLU is run as one
/// fused kernel (for `BatchNorm`, backward as well); when a 2×2 max pooling follows such a norm and
/// ReLU, the pooling normalises its candidates from the norm's input and applies the ReLU's mask
/// backward, and the norm's output is never written. Eval mode keeps only two buffers, from the shared arena.
final class Chain: ScratchOwner {
    let layers: [Layer]
    let inputShape: [Int]
    /// Per-example output shape of each layer.
    let shapes: [[Int]]
    let inputSize: Int
    /// Per-example scalars of each layer's output.
    let sizes: [Int]
    /// The largest per-example size among the input and every output.
    let widest: Int

    /// Training buffer of each layer's output; several layers may share one.
    private let slotOfLayer: [Int]
    private let slots: [Scratch<Float>]
    private let slotSize: [Int]
    private var slotPointers: [UnsafeMutablePointer<Float>]
    private let fusedReLU: [Bool]
    /// Max poolings that apply, in their backward pass, the ReLU fused into the batch norm two
    /// layers before (see ``backward(_:input:into:finished:)``).
    let poolAppliesReLU: [Bool]
    private let gradientA = Scratch<Float>(), gradientB = Scratch<Float>()
    private var arena = InferenceArena()
    private var depth = 0

    private var trainedBatch = 0

    init(layers: [Layer], inputShape: [Int]) {
        self.layers = layers
        self.inputShape = inputShape
        var shape = inputShape
        var shapes: [[Int]] = []
        for layer in layers {
            shape = layer.configure(inputShape: shape)
            shapes.append(shape)
        }
        self.shapes = shapes
        inputSize = inputShape.reduce(1, *)
        sizes = shapes.map { $0.reduce(1, *) }
        widest = max(inputSize, sizes.max() ?? 0)

        var slotOfLayer: [Int] = [], slotSize: [Int] = []
        for (i, layer) in layers.enumerated() {
            let inPlace = i > 0 && layer.canRunInPlace && !layer.backwardReadsInput
                && !layers[i - 1].backwardReadsOutput && sizes[i] == sizes[i - 1]
            if inPlace {
                slotOfLayer.append(slotOfLayer[i - 1])
            } else {
                slotOfLayer.append(slotSize.count)
                slotSize.append(sizes[i])
            }
        }
        self.slotOfLayer = slotOfLayer
        self.slotSize = slotSize
        slots = slotSize.map { _ in Scratch<Float>() }
        slotPointers = slots.map(\.pointer)
        fusedReLU = layers.indices.map { i in
            guard i + 1 < layers.count, layers[i] is ReLUFusing, let act = layers[i + 1] as? Activation else { return false }
            return act.kind == .relu && slotOfLayer[i + 1] == slotOfLayer[i]
        }
        // The pooling reads its own output in its backward pass: no later layer may rewrite it in
        // place (a flatten only renames it).
        poolAppliesReLU = layers.indices.map { [fusedReLU] i in
            guard i >= 2, layers[i] is MaxPool2D, fusedReLU[i - 2], layers[i - 2] is BatchNorm else { return false }
            var j = i + 1
            while j < layers.count && slotOfLayer[j] == slotOfLayer[i] {
                if !(layers[j] is Flatten) { return false }
                j += 1
            }
            return true
        }
        attach(arena: arena, depth: 0)
    }

    var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Training buffers of this chain and every layer in it (the eval arena is counted by its owner).
    var reservedBytes: Int {
        slots.reduce(0) { $0 + $1.bytes } + gradientA.bytes + gradientB.bytes
            + layers.reduce(0) { $0 + (($1 as? ScratchOwner)?.reservedBytes ?? 0) }
    }
    var buffers: [StateBuffer] { layers.flatMap(\.buffers) }
    var outputSize: Int { sizes.last ?? inputSize }
    var outputShape: [Int] { shapes.last ?? inputShape }

    /// Every layer, blocks expanded into their parts.
    var allLayers: [Layer] {
        layers.flatMap { layer -> [Layer] in
            if let composite = layer as? CompositeLayer { return [layer] + composite.sublayers }
            return [layer]
        }
    }

    /// Makes eval passes use `arena` at `depth` (and blocks inside, one level deeper).
    func attach(arena: InferenceArena, depth: Int) {
        self.arena = arena
        self.depth = depth
        for case let composite as CompositeLayer in layers { composite.attach(arena: arena, depth: depth + 1) }
    }

    // MARK: Training

    /// Runs the training forward pass over `batch` examples at `x`. Returns the last layer's
    /// output, owned by the chain and valid until the next training forward.
    @discardableResult
    func forwardTraining(_ x: UnsafePointer<Float>, batch: Int) -> UnsafeMutablePointer<Float> {
        trainedBatch = batch
        for s in slots.indices { slotPointers[s] = slots[s].reserve(batch * slotSize[s]) }
        var h = x
        var i = 0
        while i < layers.count {
            let out = slotPointers[slotOfLayer[i]]
            if i + 2 < layers.count, poolAppliesReLU[i + 2], let norm = layers[i] as? BatchNorm,
               let pool = layers[i + 2] as? MaxPool2D, pool.isTwoByTwo {
                // The pooling reads the norm's input; the norm's and the ReLU's shared output,
                // which no backward pass reads here, is not written.
                let pooled = slotPointers[slotOfLayer[i + 2]]
                norm.forward(h, pooledBy: pool, into: pooled, batch: batch)
                h = UnsafePointer(pooled)
                i += 3
                continue
            } else if fusedReLU[i], let fusing = layers[i] as? ReLUFusing {
                fusing.forward(h, into: out, batch: batch, training: true, fusedReLU: true)
                i += 2
            } else {
                layers[i].forward(h, into: out, batch: batch, training: true)
                i += 1
            }
            h = UnsafePointer(out)
        }
        return UnsafeMutablePointer(mutating: h)
    }

    /// Backpropagates `dy` (∂L/∂output of the last training forward, whose input was `x`)
    /// through every layer, accumulating parameter gradients; writes ∂L/∂input into `dx` unless
    /// it is nil. `finished(i)` runs as soon as layer `i`'s gradients are complete, while they are
    /// still in cache (the trainer steps the optimizer there).
    func backward(_ dy: UnsafePointer<Float>, input: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>?,
                  finished: ((Int) -> Void)? = nil) {
        let batch = trainedBatch
        let a = gradientA.reserve(batch * widest), b = gradientB.reserve(batch * widest)
        var g = dy
        // A ReLU fused into the batch norm before it runs no backward pass of its own: a max
        // pooling right after it keeps only the windows whose maximum (the ReLU's output at the
        // arg-max) is positive, which is the ReLU's mask wherever the pooling's gradient is not
        // zero; otherwise the norm applies the mask as it reads the gradient. Either way the bits
        // are those of the three backward passes one after another.
        var reluOutput: UnsafePointer<Float>?
        for i in layers.indices.reversed() {
            if i > 0, fusedReLU[i - 1], layers[i - 1] is BatchNorm {
                let pooled = i + 1 < layers.count && poolAppliesReLU[i + 1]
                reluOutput = pooled ? nil : UnsafePointer(slotPointers[slotOfLayer[i]])
                finished?(i)
                continue
            }
            let x = i == 0 ? input : UnsafePointer(slotPointers[slotOfLayer[i - 1]])
            let target: UnsafeMutablePointer<Float>? = i == 0 ? dx : (g == UnsafePointer(a) ? b : a)
            if let mask = reluOutput, let norm = layers[i] as? BatchNorm {
                norm.backward(input: x, outputGradient: g, inputGradient: target, batch: batch, reluOutput: mask)
                reluOutput = nil
            } else if poolAppliesReLU[i], let pool = layers[i] as? MaxPool2D {
                pool.backward(output: slotPointers[slotOfLayer[i]], outputGradient: g, inputGradient: target,
                              batch: batch, maskingReLU: true)
            } else {
                layers[i].backward(input: x, output: slotPointers[slotOfLayer[i]], outputGradient: g,
                                   inputGradient: target, batch: batch)
            }
            if let target { g = UnsafePointer(target) }
            finished?(i)
        }
        if layers.isEmpty, let dx { dx.update(from: dy, count: batch * inputSize) }
    }

    // MARK: Inference

    /// Runs the eval forward pass. The last layer writes into `destination` when given, otherwise
    /// into an arena buffer; the returned pointer is valid until the next eval pass at this depth.
    /// `visit(i, y)` sees each layer's output (`wanted[i]` true keeps it unfused).
    @discardableResult
    func forwardInference(_ x: UnsafePointer<Float>, batch: Int, into destination: UnsafeMutablePointer<Float>? = nil,
                          wanted: [Bool]? = nil,
                          visit: ((Int, UnsafePointer<Float>) -> Void)? = nil) -> UnsafePointer<Float> {
        if layers.isEmpty {
            if let destination { destination.update(from: x, count: batch * inputSize) ; return UnsafePointer(destination) }
            return x
        }
        let ping = arena.buffer(3 * depth, count: batch * widest)
        let pong = arena.buffer(3 * depth + 1, count: batch * widest)
        var h = x
        var i = 0
        while i < layers.count {
            let last = i == layers.count - 1
            let ownsH = h == UnsafePointer(ping) || h == UnsafePointer(pong)
            var out: UnsafeMutablePointer<Float>
            if last, let destination {
                out = destination
            } else if layers[i].canRunInPlace && ownsH {
                out = UnsafeMutablePointer(mutating: h)
            } else {
                out = h == UnsafePointer(ping) ? pong : ping
            }
            let fuse = fusedReLU[i] && !(wanted?[i] ?? false) && !(i + 1 == layers.count - 1 && destination != nil)
            if fuse, let fusing = layers[i] as? ReLUFusing {
                fusing.forward(h, into: out, batch: batch, training: false, fusedReLU: true)
                visit?(i + 1, out)
                i += 2
            } else {
                layers[i].forward(h, into: out, batch: batch, training: false)
                visit?(i, out)
                i += 1
            }
            h = UnsafePointer(out)
        }
        return h
    }
}
