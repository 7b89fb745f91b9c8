import Testing
import Tensors
@testable import NeuralNets

/// Finite-difference checks of every layer's backward pass (see ``GradientChecker``), over several
/// shapes and seeds. Inputs of max pooling are distinct values at least 0.1 apart, so no arg-max
/// changes within a step; layers with ReLUs inside resample the coordinates that sit on a kink.
@Suite("Layer gradients")
struct LayerGradientTests {
    /// One convolution shape, named by what it exercises so a failure says which.
    struct ConvCase: CustomTestStringConvertible, Sendable {
        var name: String
        var batch, inputChannels, outputChannels, size, kernel, stride, padding: Int
        var bias: Bool
        var seed: UInt64
        var testDescription: String { name }
    }

    static let convCases: [ConvCase] = [
        ConvCase(name: "same padding", batch: 2, inputChannels: 1, outputChannels: 3, size: 5, kernel: 3, stride: 1, padding: 1, bias: true, seed: 1),
        ConvCase(name: "stride 2, several examples per GEMM", batch: 3, inputChannels: 2, outputChannels: 2, size: 6, kernel: 3, stride: 2, padding: 1, bias: false, seed: 2),
        ConvCase(name: "pointwise: no patch matrix", batch: 2, inputChannels: 3, outputChannels: 4, size: 4, kernel: 1, stride: 1, padding: 0, bias: true, seed: 3),
        ConvCase(name: "1×1 stride 2 (a projection shortcut)", batch: 1, inputChannels: 2, outputChannels: 3, size: 7, kernel: 1, stride: 2, padding: 0, bias: false, seed: 4),
        ConvCase(name: "valid padding", batch: 2, inputChannels: 2, outputChannels: 2, size: 5, kernel: 3, stride: 1, padding: 0, bias: true, seed: 5),
        ConvCase(name: "5×5, stride 2, padding 2", batch: 2, inputChannels: 1, outputChannels: 2, size: 6, kernel: 5, stride: 2, padding: 2, bias: true, seed: 6),
        ConvCase(name: "5×5 same padding: shifts of two columns", batch: 2, inputChannels: 2, outputChannels: 3, size: 6, kernel: 5, stride: 1, padding: 2, bias: false, seed: 7),
        ConvCase(name: "many small images share one GEMM", batch: 40, inputChannels: 1, outputChannels: 2, size: 4, kernel: 3, stride: 1, padding: 1, bias: true, seed: 8),
    ]

    @Test("Conv2D: input, weight and bias", arguments: convCases)
    func conv(_ c: ConvCase) {
        var rng = RandomStream(seed: c.seed, path: "conv")
        let layer = Conv2D(inputChannels: c.inputChannels, outputChannels: c.outputChannels, kernelSize: c.kernel, stride: c.stride,
                           padding: c.padding, bias: c.bias, initializer: .pytorch, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [c.batch, c.inputChannels, c.size, c.size])
        let outShape = layer.configure(inputShape: [c.inputChannels, c.size, c.size])
        let r: FloatTensor = rng.normalTensor(shape: [c.batch] + outShape)
        GradientChecker.checkLayer(layer, input: x, weights: r, label: "conv: \(c.name)")
    }

    @Test("Conv2D matches a direct sum over the receptive field")
    func convDirect() {
        var rng = RandomStream(seed: 9, path: "conv-direct")
        let layer = Conv2D(inputChannels: 2, outputChannels: 3, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [2, 2, 5, 5])
        let y = layer.forward(x, training: false)
        #expect(y.shape == [2, 3, 3, 3])
        let w = layer.weight.value, b = layer.bias?.value ?? FloatTensor(shape: [3])
        for n in 0..<2 { for o in 0..<3 { for a in 0..<3 { for bb in 0..<3 {
            var sum = Double(b.scalars[o])
            for c in 0..<2 { for i in 0..<3 { for j in 0..<3 {
                let (h, v) = (a * 2 - 1 + i, bb * 2 - 1 + j)
                guard h >= 0, h < 5, v >= 0, v < 5 else { continue }
                sum += Double(w.scalars[((o * 2 + c) * 3 + i) * 3 + j]) * Double(x.scalars[((n * 2 + c) * 5 + h) * 5 + v])
            } } }
            let got = y.scalars[((n * 3 + o) * 3 + a) * 3 + bb]
            #expect(abs(Double(got) - sum) < 1e-5, "y[\(n),\(o),\(a),\(bb)] = \(got), direct sum \(sum)")
        } } } }
    }

    /// Distinct values, at least 0.1 apart, in random order.
    static func distinctInput(shape: [Int], rng: inout RandomStream) -> FloatTensor {
        let count = shape.reduce(1, *)
        let order = rng.permutation(count)
        return FloatTensor(shape: shape, scalars: order.map { Float($0) * 0.1 - Float(count) * 0.05 })
    }

    @Test("MaxPool2D away from ties", arguments: [(2, 2, 6, 2, 2, 0, UInt64(1)), (1, 3, 7, 3, 2, 1, 2), (3, 1, 5, 2, 1, 0, 3)])
    func maxPool(batch: Int, channels: Int, size: Int, kernel: Int, stride: Int, padding: Int, seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "maxpool")
        let layer = MaxPool2D(kernelSize: kernel, stride: stride, padding: padding)
        let x = Self.distinctInput(shape: [batch, channels, size, size], rng: &rng)
        let r: FloatTensor = rng.normalTensor(shape: [batch] + layer.configure(inputShape: [channels, size, size]))
        GradientChecker.checkLayer(layer, input: x, weights: r, label: "maxpool \(seed)")
    }

    @Test("MaxPool2D picks the maximum and routes the gradient to it")
    func maxPoolValues() {
        let layer = MaxPool2D(kernelSize: 2)
        let x = FloatTensor(shape: [1, 1, 2, 4], scalars: [1, 5, -1, -2, 3, 2, -3, -4])
        #expect(layer.forward(x, training: true).scalars == [5, -1])
        #expect(layer.backward(FloatTensor(shape: [1, 1, 1, 2], scalars: [10, 20])).scalars == [0, 10, 20, 0, 0, 0, 0, 0])
    }

    @Test("AvgPool2D", arguments: [(2, 2, 6, 2, 2, 0, UInt64(1)), (1, 3, 7, 3, 2, 1, 2)])
    func avgPool(batch: Int, channels: Int, size: Int, kernel: Int, stride: Int, padding: Int, seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "avgpool")
        let layer = AvgPool2D(kernelSize: kernel, stride: stride, padding: padding)
        let x: FloatTensor = rng.normalTensor(shape: [batch, channels, size, size])
        let r: FloatTensor = rng.normalTensor(shape: [batch] + layer.configure(inputShape: [channels, size, size]))
        GradientChecker.checkLayer(layer, input: x, weights: r, label: "avgpool \(seed)")
    }

    @Test("Global average pooling and flatten", arguments: [UInt64(1), 2])
    func globalPoolAndFlatten(seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "gap")
        let x: FloatTensor = rng.normalTensor(shape: [3, 4, 3, 5])
        let pool = GlobalAvgPool()
        let pooled = pool.forward(x, training: false)
        #expect(pooled.shape == [3, 4])
        let direct = (0..<15).reduce(0.0) { $0 + Double(x.scalars[$1]) } / 15
        #expect(abs(Double(pooled.scalars[0]) - direct) < 1e-6)
        GradientChecker.checkLayer(pool, input: x, weights: rng.normalTensor(shape: [3, 4]), label: "gap \(seed)")
        let flatten = Flatten()
        #expect(flatten.forward(x, training: false).shape == [3, 60])
        GradientChecker.checkLayer(flatten, input: x, weights: rng.normalTensor(shape: [3, 60]), label: "flatten \(seed)")
    }

    static let batchNormCases: [([Int], UInt64)] = [([4, 3], 1), ([3, 2, 3, 3], 2), ([2, 3, 2, 2], 3)]

    @Test("BatchNorm in training mode: input, scale and shift", arguments: batchNormCases)
    func batchNorm(_ c: ([Int], UInt64)) {
        let (shape, seed) = c
        var rng = RandomStream(seed: seed, path: "bn")
        let layer = BatchNorm(features: shape[1])
        layer.weight.value = rng.uniformTensor(shape: [shape[1]], low: 0.5, high: 1.5)
        layer.bias.value = rng.normalTensor(shape: [shape[1]])
        // A shifted, scaled input: the centring must not lose precision to a large mean.
        var x: FloatTensor = rng.normalTensor(shape: shape, std: 2)
        for i in x.scalars.indices { x.scalars[i] += 3 }
        let r: FloatTensor = rng.normalTensor(shape: shape)
        GradientChecker.checkLayer(layer, input: x, weights: r, label: "batchnorm \(shape)")
    }

    @Test("BatchNorm in eval mode is the affine map of the running statistics")
    func batchNormEval() {
        var rng = RandomStream(seed: 4, path: "bn-eval")
        let layer = BatchNorm(features: 2)
        layer.runningMean.value = FloatTensor(shape: [2], scalars: [0.5, -1])
        layer.runningVariance.value = FloatTensor(shape: [2], scalars: [4, 0.25])
        layer.weight.value = FloatTensor(shape: [2], scalars: [2, 3])
        let x: FloatTensor = rng.normalTensor(shape: [3, 2])
        let y = layer.forward(x, training: false)
        for n in 0..<3 {
            #expect(abs(y[n, 0] - 2 * (x[n, 0] - 0.5) / Float((4 + 1e-5).squareRoot())) < 1e-5)
            #expect(abs(y[n, 1] - 3 * (x[n, 1] + 1) / Float((0.25 + 1e-5).squareRoot())) < 1e-5)
        }
    }

    @Test("Dropout with a replayed mask", arguments: [UInt64(1), 2])
    func dropout(seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "dropout")
        let stream = RandomStream(seed: seed, path: "mask")
        let layer = Dropout(probability: 0.3, rng: stream)
        let x: FloatTensor = rng.normalTensor(shape: [4, 10])
        let r: FloatTensor = rng.normalTensor(shape: [4, 10])
        // Replaying the stream before every forward keeps the mask fixed, so the map is linear.
        GradientChecker.checkLayer(layer, input: x, weights: r, label: "dropout \(seed)") { layer.rng = stream }
        layer.rng = stream
        let y = layer.forward(x, training: true)
        let kept = zip(x.scalars, y.scalars).filter { $0.1 != 0 }
        #expect(kept.count > 10 && kept.count < 40)
        for (a, b) in kept { #expect(abs(b - a / 0.7) < 1e-5) }
        #expect(layer.forward(x, training: false) == x)
    }

    /// (input shape, out channels, stride, shortcut, seed)
    static let blockCases: [([Int], Int, Int, ShortcutKind, UInt64)] = [
        ([3, 2, 5, 5], 2, 1, .projection, 1),  // identity shortcut
        ([2, 2, 6, 6], 4, 2, .projection, 2),  // 1×1 convolution + batch norm
        ([2, 2, 6, 6], 4, 2, .padding, 3),     // subsample and zero-pad (option A)
    ]

    @Test("ResidualBlock: input and every parameter", arguments: blockCases)
    func residualBlock(_ c: ([Int], Int, Int, ShortcutKind, UInt64)) {
        let (shape, out, stride, shortcut, seed) = c
        var rng = RandomStream(seed: seed, path: "block")
        let block = ResidualBlock(inputChannels: shape[1], outputChannels: out, stride: stride,
                                  inputShape: Array(shape.dropFirst()), shortcut: shortcut, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: shape)
        let r: FloatTensor = rng.normalTensor(shape: [shape[0]] + block.configure(inputShape: Array(shape.dropFirst())))
        // Two ReLUs behind batch statistics of 18 values: a step of 1e-2 in one weight moves
        // every output, so about a quarter of the coordinates cross a kink; the rest are checked.
        GradientChecker.checkLayer(block, input: x, weights: r, label: "block \(seed)", maxResampled: 0.35)
    }

    @Test("ResidualBlock in eval mode equals its parts composed by hand")
    func residualBlockEval() {
        var rng = RandomStream(seed: 5, path: "block-eval")
        let block = ResidualBlock(inputChannels: 2, outputChannels: 3, stride: 2, inputShape: [2, 6, 6], rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [2, 2, 6, 6])
        _ = block.forward(x, training: true)  // moves the running statistics away from (0, 1)
        let parts = block.sublayers
        var main = x
        for layer in parts[0..<5] { main = layer.forward(main, training: false) }
        var skip = x
        for layer in parts[5...] { skip = layer.forward(skip, training: false) }
        let expected = zip(main.scalars, skip.scalars).map { max(0, $0 + $1) }
        let y = block.forward(x, training: false)
        #expect(y.shape == [2, 3, 3, 3])
        for (a, b) in zip(y.scalars, expected) { #expect(abs(a - b) < 1e-5) }
    }
}
