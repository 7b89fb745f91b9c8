import Testing
import Tensors
@testable import NeuralNets

/// Finite-difference checks of the losses and of whole models (loss → logits → … → parameters),
/// which exercise the engine's buffer sharing, in-place layers and fused Dense+ReLU kernel.
@Suite("Loss and model gradients")
struct ModelGradientTests {
    @Test("MSE against one-hot targets", arguments: [(1, 2, UInt64(1)), (6, 10, 2), (3, 5, 3)])
    func mseLabels(batch: Int, classes: Int, seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "mse")
        let z: FloatTensor = rng.normalTensor(shape: [batch, classes])
        let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
        let result = MeanSquaredError.evaluate(logits: z, labels: labels)
        var direct = 0.0
        for r in 0..<batch {
            for j in 0..<classes {
                let d = Double(z[r, j]) - (j == labels[r] ? 1 : 0)
                direct += d * d
            }
        }
        #expect(abs(result.loss - direct / Double(batch * classes)) < 1e-9)
        var checker = GradientChecker("mse")
        for i in 0..<z.count {
            checker.check(result.gradient.scalars[i], "∂z[\(i)]") { delta in
                var moved = z
                moved.scalars[i] += delta
                return MeanSquaredError.evaluate(logits: moved, labels: labels, wantGradient: false).loss
            }
        }
        checker.expectMostlyChecked(maxResampled: 0)
    }

    @Test("MSE against real targets, and its accuracy count")
    func mseTargets() {
        var rng = RandomStream(seed: 4, path: "mse-targets")
        let y: FloatTensor = rng.normalTensor(shape: [4, 3])
        let t: FloatTensor = rng.normalTensor(shape: [4, 3])
        let result = MeanSquaredError.evaluate(outputs: y, targets: t)
        var checker = GradientChecker("mse-targets")
        for i in 0..<y.count {
            checker.check(result.gradient.scalars[i], "∂y[\(i)]") { delta in
                var moved = y
                moved.scalars[i] += delta
                return MeanSquaredError.evaluate(outputs: moved, targets: t, wantGradient: false).loss
            }
        }
        checker.expectMostlyChecked(maxResampled: 0)
        let logits = FloatTensor(shape: [2, 3], scalars: [0, 2, 1, 5, 0, 0])
        #expect(MeanSquaredError.evaluate(logits: logits, labels: [1, 1]).correct == 1)
    }

    /// Checks every `stride`-th coordinate of every parameter of `model` against the loss.
    static func checkModel(_ model: Sequential, x: FloatTensor, labels: [Int], loss: LossKind, label: String,
                           stride: Int, maxResampled: Double, prepare: () -> Void = {}) {
        prepare()
        model.zeroGradients()
        let out = loss.evaluate(logits: model.forward(x, training: true), labels: labels)
        model.backward(out.gradient)
        var checker = GradientChecker(label)
        for p in model.parameters {
            let grad = p.grad
            for i in Swift.stride(from: 0, to: p.value.count, by: stride) {
                checker.check(grad.scalars[i], "∂\(p.name)[\(i)]") { delta in
                    let saved = p.value.scalars[i]
                    p.value.scalars[i] = saved + delta
                    defer { p.value.scalars[i] = saved }
                    prepare()
                    return loss.evaluate(logits: model.forward(x, training: true), labels: labels, wantGradient: false).loss
                }
            }
        }
        checker.expectMostlyChecked(maxResampled: maxResampled)
    }

    @Test("MLP with fused Dense+ReLU under both losses", arguments: [LossKind.crossEntropy, .mse])
    func mlp(loss: LossKind) {
        var rng = RandomStream(seed: 11, path: "mlp-\(loss)")
        let model = Architectures.mlp(inputs: 6, widths: [8, 7], classes: 4, initializer: .pytorch, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [5, 6])
        Self.checkModel(model, x: x, labels: [0, 3, 1, 2, 3], loss: loss, label: "mlp \(loss)", stride: 1, maxResampled: 0.1)
    }

    @Test("MLP input gradient through the whole network")
    func mlpInputGradient() {
        var rng = RandomStream(seed: 12, path: "mlp-input")
        let model = Architectures.mlp(inputs: 5, widths: [6], classes: 3, activation: .gelu, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [3, 5])
        let labels = [2, 0, 1]
        model.zeroGradients()
        let dx = model.backwardToInput(SoftmaxCrossEntropy.evaluate(logits: model.forward(x, training: true), labels: labels).gradient)
        var checker = GradientChecker("mlp input")
        for i in 0..<x.count {
            checker.check(dx.scalars[i], "∂x[\(i)]") { delta in
                var moved = x
                moved.scalars[i] += delta
                return SoftmaxCrossEntropy.evaluate(logits: model.forward(moved, training: false), labels: labels).loss
            }
        }
        checker.expectMostlyChecked(maxResampled: 0)
    }

    @Test("CNN with batch norm, pooling and dropout", arguments: [PoolingKind.max, .average])
    func cnn(pooling: PoolingKind) {
        var rng = RandomStream(seed: 21, path: "cnn-\(pooling)")
        let model = Architectures.cnn(inputShape: [1, 6, 6], channels: [3, 4], hiddenWidths: [5], classes: 3,
                                      pooling: pooling, batchNorm: true, dropout: 0.25, rng: &rng)
        let dropouts = model.layers.compactMap { $0 as? Dropout }
        let streams = dropouts.map(\.rng)
        let x = LayerGradientTests.distinctInput(shape: [4, 1, 6, 6], rng: &rng)
        Self.checkModel(model, x: x, labels: [0, 2, 1, 1], loss: .crossEntropy, label: "cnn \(pooling)", stride: 2,
                        maxResampled: 0.15) {
            for (d, s) in zip(dropouts, streams) { d.rng = s }
        }
    }

    @Test("ResNet-8 with both shortcut kinds", arguments: [ShortcutKind.projection, .padding])
    func resnet(shortcut: ShortcutKind) {
        var rng = RandomStream(seed: 31, path: "resnet-\(shortcut)")
        let model = Architectures.resnet(depth: 8, inputShape: [2, 6, 6], classes: 3, baseWidth: 2, shortcut: shortcut, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [3, 2, 6, 6])
        Self.checkModel(model, x: x, labels: [1, 0, 2], loss: .crossEntropy, label: "resnet \(shortcut)", stride: 3,
                        maxResampled: 0.3)
    }
}
