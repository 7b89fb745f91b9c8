import Tensors

/// How a residual block's shortcut matches shapes when the block changes them.
public enum ShortcutKind: String, Sendable, CaseIterable, Codable {
    /// 1×1 convolution with the block's stride, then batch normalisation (He et al. 2016, option B).
    case projection
    /// Parameter-free: subsample by the stride and pad the new channels with zeros, half on each
    /// side (He et al. 2016, option A, the original CIFAR ResNets).
    case padding
}

/// CIFAR-style basic residual block (He et al., "Deep Residual Learning", 2016):
///
/// ```
/// y = relu( bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x) )
/// conv1: 3×3, stride s, C_in → C_out     conv2: 3×3, stride 1, C_out → C_out     (no biases)
/// shortcut(x) = x when s = 1 and C_in = C_out, otherwise projection or padding (``ShortcutKind``)
/// backward  ∂z = ∂y · [y > 0];  ∂x = ∂main(∂z) + ∂shortcut(∂z)
/// ```
/// The pre-ReLU sum `z = bn2(conv2(…)) + shortcut(x)` is exposed to eval-mode probes as
/// `blockK.sum` (see ``ProbePoint/Site/residualSum``), so `blockK == relu(blockK.sum)` exactly.
///
/// Names follow the common PyTorch CIFAR ResNets: `<name>.conv1`, `.bn1`, `.conv2`, `.bn2`,
/// `.shortcut.0` (conv), `.shortcut.1` (batch norm).
public final class ResidualBlock: CompositeLayer, ScratchOwner {
    public let inputChannels: Int
    public let outputChannels: Int
    public let stride: Int
    /// How the shortcut changes shape, or nil for the identity.
    public let shortcutKind: ShortcutKind?
    public let tape = LayerTape()

    private let main: Chain
    private let projection: Chain?
    private var inputShape: [Int] = []
    private var outputSize = 0
    private var arena = InferenceArena()
    private var depth = 1
    private let masked = Scratch<Float>(), shortcutGradient = Scratch<Float>(), padded = Scratch<Float>()
    private var trainedBatch = 0
    /// Set by ``Sequential/activations(of:layers:batchSize:)`` while it records `blockK.sum`: an
    /// eval pass then writes `main(x) + shortcut(x)` into the output, hands it to this observer and
    /// applies the ReLU in place. Unset, the sum and the ReLU stay one fused kernel.
    var observeSum: ((UnsafePointer<Float>) -> Void)?

    public init(inputChannels: Int, outputChannels: Int, stride: Int = 1, inputShape: [Int],
                shortcut: ShortcutKind = .projection, initializer: Initializer = .he, name: String = "",
                rng: inout RandomStream) {
        precondition(inputShape.count == 3 && inputShape[0] == inputChannels,
                     "[ResidualBlock] input shape \(inputShape) is not (\(inputChannels), H, W)")
        precondition(shortcut == .projection || outputChannels >= inputChannels,
                     "[ResidualBlock] a padding shortcut cannot reduce channels \(inputChannels) → \(outputChannels)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.stride = stride
        let prefix = name.isEmpty ? "" : name + "."
        main = Chain(layers: [
            Conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, stride: stride, padding: 1,
                   bias: false, initializer: initializer, name: prefix + "conv1", rng: &rng),
            BatchNorm(features: outputChannels, name: prefix + "bn1"),
            Activation(.relu),
            Conv2D(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, stride: 1, padding: 1,
                   bias: false, initializer: initializer, name: prefix + "conv2", rng: &rng),
            BatchNorm(features: outputChannels, name: prefix + "bn2"),
        ], inputShape: inputShape)
        let changesShape = stride != 1 || inputChannels != outputChannels
        shortcutKind = changesShape ? shortcut : nil
        if changesShape && shortcut == .projection {
            projection = Chain(layers: [
                Conv2D(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, stride: stride,
                       bias: false, initializer: initializer, name: prefix + "shortcut.0", rng: &rng),
                BatchNorm(features: outputChannels, name: prefix + "shortcut.1"),
            ], inputShape: inputShape)
        } else {
            projection = nil
        }
        self.inputShape = inputShape
        outputSize = main.outputSize
    }

    public var summary: String {
        "ResidualBlock(\(inputChannels)→\(outputChannels), stride \(stride)\(shortcutKind.map { ", \($0.rawValue)" } ?? ""))"
    }
    public var parameters: [Parameter] { main.parameters + (projection?.parameters ?? []) }
    public var buffers: [StateBuffer] { main.buffers + (projection?.buffers ?? []) }
    var sublayers: [Layer] { main.layers + (projection?.layers ?? []) }
    var reservedBytes: Int {
        main.reservedBytes + (projection?.reservedBytes ?? 0) + masked.bytes + shortcutGradient.bytes + padded.bytes
    }

    func attach(arena: InferenceArena, depth: Int) {
        self.arena = arena
        self.depth = depth
        main.attach(arena: arena, depth: depth)
        projection?.attach(arena: arena, depth: depth)
    }

    public func configure(inputShape: [Int]) -> [Int] {
        precondition(inputShape == self.inputShape,
                     "[ResidualBlock.forward] input shape \(inputShape) differs from the shape \(self.inputShape) it was built for")
        return main.outputShape
    }

    /// Option A's shortcut: `s[n, c + offset, a, b] = x[n, c, a·s, b·s]`, zero elsewhere.
    private func padShortcut(_ x: UnsafePointer<Float>, into s: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, w) = (inputShape[1], inputShape[2])
        let (ho, wo) = (main.outputShape[1], main.outputShape[2])
        let offset = (outputChannels - inputChannels) / 2
        s.update(repeating: 0, count: batch * outputSize)
        for n in 0..<batch {
            for c in 0..<inputChannels {
                let src = x + (n * inputChannels + c) * h * w
                let dst = s + (n * outputChannels + c + offset) * ho * wo
                for a in 0..<ho { for b in 0..<wo { dst[a * wo + b] = src[a * stride * w + b * stride] } }
            }
        }
    }

    /// The adjoint of ``padShortcut``: `∂x[n, c, a·s, b·s] += ∂s[n, c + offset, a, b]`.
    private func padShortcutBackward(_ ds: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, batch: Int) {
        let (h, w) = (inputShape[1], inputShape[2])
        let (ho, wo) = (main.outputShape[1], main.outputShape[2])
        let offset = (outputChannels - inputChannels) / 2
        for n in 0..<batch {
            for c in 0..<inputChannels {
                let dst = dx + (n * inputChannels + c) * h * w
                let src = ds + (n * outputChannels + c + offset) * ho * wo
                for a in 0..<ho { for b in 0..<wo { dst[a * stride * w + b * stride] += src[a * wo + b] } }
            }
        }
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let count = batch * outputSize
        if training {
            trainedBatch = batch
            let residual = main.forwardTraining(x, batch: batch)
            let skip: UnsafePointer<Float>
            if let projection {
                skip = UnsafePointer(projection.forwardTraining(x, batch: batch))
            } else if shortcutKind == .padding {
                let s = padded.reserve(count)
                padShortcut(x, into: s, batch: batch)
                skip = UnsafePointer(s)
            } else {
                skip = x
            }
            Parallelism.elementwise(count) { r in
                Kernels.addReLU(residual + r.lowerBound, skip + r.lowerBound, into: y + r.lowerBound, count: r.count)
            }
        } else {
            // The shortcut goes to the spare buffer of the next depth, then the main path
            // writes straight into y, reusing that depth's ping-pong.
            let spare = arena.buffer(3 * depth + 2, count: count)
            if let projection {
                projection.forwardInference(x, batch: batch, into: spare)
            } else if shortcutKind == .padding {
                padShortcut(x, into: spare, batch: batch)
            } else {
                spare.update(from: x, count: count)
            }
            main.forwardInference(x, batch: batch, into: y)
            if let observeSum {
                // Same float additions as `addReLU`, so the block's output is bit-identical.
                Kernels.accumulate(spare, into: y, count: count)
                observeSum(UnsafePointer(y))
                Kernels.relu(y, into: y, count: count)
            } else {
                Parallelism.elementwise(count) { r in
                    Kernels.addReLU(y + r.lowerBound, spare + r.lowerBound, into: y + r.lowerBound, count: r.count)
                }
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        precondition(batch == trainedBatch, "[ResidualBlock.backward] batch \(batch) differs from the last training forward's \(trainedBatch)")
        let count = batch * outputSize
        let dz = masked.reserve(count)
        Parallelism.elementwise(count) { r in
            Kernels.reluBackward(dy + r.lowerBound, output: y + r.lowerBound, into: dz + r.lowerBound, count: r.count)
        }
        main.backward(dz, input: x, into: dx)
        if let projection {
            let ds: UnsafeMutablePointer<Float>? = dx == nil ? nil : shortcutGradient.reserve(batch * main.inputSize)
            projection.backward(dz, input: x, into: ds)
            if let dx, let ds {
                Parallelism.elementwise(batch * main.inputSize) { r in
                    Kernels.accumulate(ds + r.lowerBound, into: dx + r.lowerBound, count: r.count)
                }
            }
        } else if let dx {
            if shortcutKind == .padding {
                padShortcutBackward(dz, into: dx, batch: batch)
            } else {
                Parallelism.elementwise(count) { r in
                    Kernels.accumulate(dz + r.lowerBound, into: dx + r.lowerBound, count: r.count)
                }
            }
        }
    }
}
