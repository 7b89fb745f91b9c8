import Testing
import Tensors
@testable import NeuralNets

/// Central finite differences against the analytic backward pass.
///
/// The engine computes in Float32, so the objective `L = Σ rᵢ yᵢ` (fixed random `r`) is summed in
/// Double and the step is 1e-2; the tolerance allows for Float32 round-off in the forward pass.
@Suite("Finite-difference gradient checks")
struct GradientCheckTests {
    static func objective(_ y: FloatTensor, _ r: FloatTensor) -> Double {
        zip(y.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    static func expectClose(_ analytic: Float, _ numeric: Double, _ what: String) {
        let tolerance = 2e-3 + 2e-2 * abs(numeric)
        #expect(abs(Double(analytic) - numeric) <= tolerance, "\(what): analytic \(analytic) numeric \(numeric)")
    }

    @Test("Dense: inputs, weights and bias", arguments: [(1, 3, 2, UInt64(1)), (5, 7, 4, 2), (8, 16, 9, 3)])
    func dense(batch: Int, inputs: Int, outputs: Int, seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "dense")
        let layer = Dense(inputDimensions: inputs, outputDimensions: outputs, initializer: .pytorch, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [batch, inputs])
        let r: FloatTensor = rng.normalTensor(shape: [batch, outputs])
        _ = layer.forward(x, training: true)
        let dx = layer.backward(r)
        let h: Float = 1e-2
        for i in 0..<x.count {
            var xp = x, xm = x
            xp.scalars[i] += h
            xm.scalars[i] -= h
            let numeric = (Self.objective(layer.forward(xp, training: false), r) - Self.objective(layer.forward(xm, training: false), r)) / Double(2 * h)
            Self.expectClose(dx.scalars[i], numeric, "dx[\(i)]")
        }
        for p in layer.parameters {
            for i in 0..<p.value.count {
                let saved = p.value.scalars[i]
                p.value.scalars[i] = saved + h
                let lp = Self.objective(layer.forward(x, training: false), r)
                p.value.scalars[i] = saved - h
                let lm = Self.objective(layer.forward(x, training: false), r)
                p.value.scalars[i] = saved
                Self.expectClose(p.grad.scalars[i], (lp - lm) / Double(2 * h), "\(p.name)[\(i)]")
            }
        }
    }

    @Test("Activations away from kinks", arguments: [ActivationKind.relu, .tanh, .gelu, .identity])
    func activation(kind: ActivationKind) {
        for seed in UInt64(1)...3 {
            var rng = RandomStream(seed: seed, path: "act")
            var x: FloatTensor = rng.normalTensor(shape: [4, 6])
            // Resample points within a step of ReLU's kink, where the derivative is undefined.
            for i in 0..<x.count where abs(x.scalars[i]) < 0.05 { x.scalars[i] = 0.5 }
            let r: FloatTensor = rng.normalTensor(shape: [4, 6])
            let layer = Activation(kind)
            _ = layer.forward(x, training: true)
            let dx = layer.backward(r)
            let h: Float = 1e-2
            for i in 0..<x.count {
                var xp = x, xm = x
                xp.scalars[i] += h
                xm.scalars[i] -= h
                let numeric = (Self.objective(layer.forward(xp, training: false), r) - Self.objective(layer.forward(xm, training: false), r)) / Double(2 * h)
                Self.expectClose(dx.scalars[i], numeric, "\(kind) dx[\(i)] seed \(seed)")
            }
        }
    }

    @Test("Softmax cross-entropy against its logits", arguments: [(1, 2, UInt64(1)), (6, 10, 2), (3, 5, 3)])
    func softmaxCrossEntropy(batch: Int, classes: Int, seed: UInt64) {
        var rng = RandomStream(seed: seed, path: "sce")
        let z: FloatTensor = rng.normalTensor(shape: [batch, classes], std: 3)
        let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
        let g = SoftmaxCrossEntropy.evaluate(logits: z, labels: labels).gradient
        let h: Float = 1e-2
        for i in 0..<z.count {
            var zp = z, zm = z
            zp.scalars[i] += h
            zm.scalars[i] -= h
            let numeric = (SoftmaxCrossEntropy.evaluate(logits: zp, labels: labels).loss
                - SoftmaxCrossEntropy.evaluate(logits: zm, labels: labels).loss) / Double(2 * h)
            Self.expectClose(g.scalars[i], numeric, "dz[\(i)]")
        }
    }

    @Test("Softmax cross-entropy stays finite for huge logits and matches log(C) for equal ones")
    func softmaxStable() {
        let huge = FloatTensor(shape: [1, 3], scalars: [1000, -1000, 0])
        let r = SoftmaxCrossEntropy.evaluate(logits: huge, labels: [0])
        #expect(r.loss.isFinite && r.loss < 1e-6)
        let flat = SoftmaxCrossEntropy.evaluate(logits: FloatTensor(shape: [2, 4]), labels: [0, 3])
        #expect(abs(flat.loss - log(4.0)) < 1e-6)
    }

    @Test("A whole MLP: gradient of the loss for every parameter")
    func mlp() {
        var rng = RandomStream(seed: 11, path: "mlp")
        let model = Architectures.mlp(inputs: 5, widths: [6, 4], classes: 3, activation: .tanh, initializer: .glorot, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [4, 5])
        let labels = [0, 2, 1, 2]
        model.zeroGradients()
        let out = SoftmaxCrossEntropy.evaluate(logits: model.forward(x, training: true), labels: labels)
        model.backward(out.gradient)
        let h: Float = 1e-2
        for p in model.parameters {
            for i in stride(from: 0, to: p.value.count, by: 3) {
                let saved = p.value.scalars[i]
                p.value.scalars[i] = saved + h
                let lp = SoftmaxCrossEntropy.evaluate(logits: model.forward(x, training: false), labels: labels).loss
                p.value.scalars[i] = saved - h
                let lm = SoftmaxCrossEntropy.evaluate(logits: model.forward(x, training: false), labels: labels).loss
                p.value.scalars[i] = saved
                Self.expectClose(p.grad.scalars[i], (lp - lm) / Double(2 * h), "\(p.name)[\(i)]")
            }
        }
    }
}

import Foundation
