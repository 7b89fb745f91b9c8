import Testing
import Tensors
@testable import NeuralNets

/// A two-class problem with a known answer: the class is the sign of the first coordinate.
func separableData(count: Int, features: Int, seed: UInt64) -> (FloatTensor, [Int]) {
    var rng = RandomStream(seed: seed, path: "data")
    var x: FloatTensor = rng.normalTensor(shape: [count, features])
    var labels: [Int] = []
    for r in 0..<count {
        // Keep a margin so that the problem is cleanly separable.
        if abs(x[r, 0]) < 0.2 { x[r, 0] += x[r, 0] < 0 ? -0.2 : 0.2 }
        labels.append(x[r, 0] > 0 ? 1 : 0)
    }
    return (x, labels)
}

@Suite("Training loop")
struct TrainerTests {
    static func tinyCNN(seed: UInt64) -> Sequential {
        var rng = RandomStream(seed: seed, path: "model")
        return Architectures.cnn(inputShape: [1, 6, 6], channels: [3], hiddenWidths: [8], classes: 2,
                                 batchNorm: true, dropout: 0.2, rng: &rng)
    }

    static func train(_ model: Sequential, epochs: Int, shuffleSeed: UInt64, x: FloatTensor, labels: [Int]) throws {
        let optimizer = SGD(learningRate: 0.05, momentum: 0.9)
        var trainer = Trainer(batchSize: 7, shuffle: RandomStream(seed: shuffleSeed, path: "shuffle"))
        for epoch in 1...epochs {
            _ = try trainer.trainEpoch(model, optimizer: optimizer, inputs: x, labels: labels, epoch: epoch)
        }
    }

    @Test("Same seed and thread count give bit-identical weights; another shuffle seed does not")
    func determinism() throws {
        let (x, labels) = separableData(count: 40, features: 36, seed: 1)
        let a = Self.tinyCNN(seed: 3), b = Self.tinyCNN(seed: 3), c = Self.tinyCNN(seed: 3)
        try Self.train(a, epochs: 3, shuffleSeed: 9, x: x, labels: labels)
        try Self.train(b, epochs: 3, shuffleSeed: 9, x: x, labels: labels)
        try Self.train(c, epochs: 3, shuffleSeed: 10, x: x, labels: labels)
        #expect(a.stateDict() == b.stateDict())
        #expect(a.stateDict() != c.stateDict())
        #expect(a.stateDict() != Self.tinyCNN(seed: 3).stateDict())
    }

    @Test("Updating each layer as its gradients complete equals one optimizer step at the end")
    func interleavedStep() throws {
        let (x, labels) = separableData(count: 8, features: 36, seed: 2)
        for makeOptimizer in [{ SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3) }, { AdamW(learningRate: 0.01) }] as [() -> Optimizer] {
            let a = Self.tinyCNN(seed: 4), b = Self.tinyCNN(seed: 4)
            var trainer = Trainer(batchSize: 8, shuffle: RandomStream(seed: 1, path: "s"))
            _ = try trainer.trainEpoch(a, optimizer: makeOptimizer(), inputs: x, labels: labels, epoch: 1)
            // The same step by hand: the trainer's single batch is the whole set in its shuffled order.
            var shuffle = RandomStream(seed: 1, path: "s")
            let order = shuffle.permutation(8)
            b.zeroGradients()
            let loss = SoftmaxCrossEntropy.evaluate(logits: b.forward(x.gatherRows(order), training: true),
                                                    labels: order.map { labels[$0] })
            b.backward(loss.gradient)
            makeOptimizer().step(b.parameters)
            #expect(a.stateDict() == b.stateDict())
        }
    }

    /// An optimizer that does not declare per-parameter updates: it must see whole steps.
    final class RecordingOptimizer: Optimizer {
        var learningRate = 0.0
        var calls: [[String]] = []
        func step(_ parameters: [Parameter]) { calls.append(parameters.map(\.name)) }
    }

    @Test("An optimizer without per-parameter updates is stepped once per batch with every parameter")
    func wholeSteps() throws {
        var rng = RandomStream(seed: 13, path: "model")
        let model = Architectures.mlp(inputs: 3, widths: [4], classes: 2, rng: &rng)
        let (x, labels) = separableData(count: 10, features: 3, seed: 13)
        var trainer = Trainer(batchSize: 4, shuffle: RandomStream(seed: 1, path: "s"))
        let optimizer = RecordingOptimizer()
        _ = try trainer.trainEpoch(model, optimizer: optimizer, inputs: x, labels: labels, epoch: 1)
        #expect(optimizer.calls == Array(repeating: ["0.weight", "0.bias", "2.weight", "2.bias"], count: 3))
    }

    @Test("The last partial batch is trained on and weighted by its size")
    func partialBatch() throws {
        var rng = RandomStream(seed: 5, path: "model")
        let model = Architectures.mlp(inputs: 3, widths: [4], classes: 2, rng: &rng)
        let (x, labels) = separableData(count: 10, features: 3, seed: 3)
        var trainer = Trainer(batchSize: 4, shuffle: RandomStream(seed: 2, path: "s"))
        var calls: [(Int, Int)] = []
        // With a zero learning rate every batch sees the same weights, so the epoch's mean loss
        // must equal the evaluation loss over all ten examples, the two in the last batch included.
        let result = try trainer.trainEpoch(model, optimizer: SGD(learningRate: 0), inputs: x, labels: labels,
                                            epoch: 1) { step, steps, _ in calls.append((step, steps)) }
        let reference = Trainer.evaluate(model, inputs: x, labels: labels, batchSize: 3)
        #expect(calls.map(\.0) == [1, 2, 3] && calls.allSatisfy { $0.1 == 3 })
        #expect(abs(result.loss - reference.loss) < 1e-6)
        #expect(abs(result.accuracy - reference.accuracy) < 1e-12)
    }

    @Test("A step limit ends the epoch early; its running figures cover only the steps taken")
    func stepLimit() throws {
        var rng = RandomStream(seed: 5, path: "model")
        let model = Architectures.mlp(inputs: 3, widths: [4], classes: 2, rng: &rng)
        let (x, labels) = separableData(count: 10, features: 3, seed: 3)
        var trainer = Trainer(batchSize: 4, shuffle: RandomStream(seed: 2, path: "s"))
        var calls: [Int] = []
        let partial = try trainer.trainEpoch(model, optimizer: SGD(learningRate: 0), inputs: x, labels: labels, epoch: 1,
                                             maxSteps: 2) { step, _, _ in calls.append(step) }
        #expect(partial.steps == 2 && calls == [1, 2])
        // The shuffled order of that epoch, replayed: the mean over its first 8 examples.
        var order = RandomStream(seed: 2, path: "s")
        let rows = Array(order.permutation(10).prefix(8))
        let reference = Trainer.evaluate(model, inputs: x.gatherRows(rows), labels: rows.map { labels[$0] })
        #expect(abs(partial.loss - reference.loss) < 1e-6)
        let whole = try trainer.trainEpoch(model, optimizer: SGD(learningRate: 0), inputs: x, labels: labels, epoch: 2,
                                           maxSteps: 100)
        #expect(whole.steps == 3)
    }

    @Test("Training reaches a steady state: no buffer grows after the first epoch")
    func steadyMemory() throws {
        let (x, labels) = separableData(count: 50, features: 36, seed: 4)
        let model = Self.tinyCNN(seed: 6)
        try Self.train(model, epochs: 1, shuffleSeed: 1, x: x, labels: labels)
        _ = Trainer.evaluate(model, inputs: x, labels: labels)
        let settled = model.workspaceBytes
        #expect(settled > 0)
        for epoch in 2...4 {
            try Self.train(model, epochs: 1, shuffleSeed: UInt64(epoch), x: x, labels: labels)
            _ = Trainer.evaluate(model, inputs: x, labels: labels)
            #expect(model.workspaceBytes == settled, "epoch \(epoch): \(model.workspaceBytes) bytes, was \(settled)")
        }
    }

    @Test("MLPs converge on a separable problem with every optimizer and both losses")
    func convergence() throws {
        let (x, labels) = separableData(count: 200, features: 5, seed: 6)
        let cases: [(String, Optimizer, LossKind)] = [
            ("sgd", SGD(learningRate: 0.1, momentum: 0.9), .crossEntropy),
            ("adam", Adam(learningRate: 0.01), .crossEntropy),
            ("adamw", AdamW(learningRate: 0.01), .mse),
        ]
        for (name, optimizer, loss) in cases {
            var rng = RandomStream(seed: 7, path: "model")
            let model = Architectures.mlp(inputs: 5, widths: [16], classes: 2, rng: &rng)
            var trainer = Trainer(batchSize: 16, shuffle: RandomStream(seed: 3, path: "s"), loss: loss)
            let before = Trainer.evaluate(model, inputs: x, labels: labels, loss: loss)
            for epoch in 1...30 { _ = try trainer.trainEpoch(model, optimizer: optimizer, inputs: x, labels: labels, epoch: epoch) }
            let after = Trainer.evaluate(model, inputs: x, labels: labels, loss: loss)
            #expect(after.accuracy >= 0.97, "\(name): accuracy \(after.accuracy)")
            #expect(after.loss < before.loss / 2, "\(name): loss \(before.loss) → \(after.loss)")
        }
    }

    @Test("A schedule sets the learning rate before every step")
    func schedule() throws {
        let (x, labels) = separableData(count: 20, features: 3, seed: 7)
        var rng = RandomStream(seed: 8, path: "model")
        let model = Architectures.mlp(inputs: 3, widths: [4], classes: 2, rng: &rng)
        let schedule = LearningRateSchedule(baseLearningRate: 0.1, decay: .step(stepSize: 1, gamma: 0.5), warmupEpochs: 1, epochs: 3)
        var trainer = Trainer(batchSize: 8, shuffle: RandomStream(seed: 1, path: "s"), schedule: schedule)
        let optimizer = SGD(learningRate: 123)
        var seen: [Double] = []
        for epoch in 1...3 {
            _ = try trainer.trainEpoch(model, optimizer: optimizer, inputs: x, labels: labels, epoch: epoch) { _, _, _ in
                seen.append(optimizer.learningRate)
            }
        }
        let expected = (1...3).flatMap { e in (0..<3).map { schedule.learningRate(epoch: e, step: $0, stepsPerEpoch: 3) } }
        #expect(seen == expected)
        #expect(abs(seen[0] - 0.1 / 3) < 1e-12 && abs(seen[8] - 0.025) < 1e-12)
    }

    @Test("A diverging run stops with the epoch, step and loss")
    func divergence() {
        let (x, labels) = separableData(count: 32, features: 3, seed: 8)
        var rng = RandomStream(seed: 9, path: "model")
        let model = Architectures.mlp(inputs: 3, widths: [8], classes: 2, rng: &rng)
        var trainer = Trainer(batchSize: 4, shuffle: RandomStream(seed: 1, path: "s"))
        let error = #expect(throws: DivergenceError.self) {
            for epoch in 1...5 { _ = try trainer.trainEpoch(model, optimizer: SGD(learningRate: 1e30), inputs: x, labels: labels, epoch: epoch) }
        }
        #expect(error?.epoch == 1 && (error?.step ?? 0) >= 2)
        #expect(error?.description.hasPrefix("diverged at epoch 1 step ") == true)
    }
}
