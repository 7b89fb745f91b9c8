import Testing
import Tensors
@testable import NeuralNets

@Suite("Gradient noise")
struct GradientNoiseTests {
    /// All parameter gradients concatenated.
    static func flatGradient(_ model: Sequential) -> [Double] {
        model.parameters.flatMap { $0.grad.scalars.map(Double.init) }
    }

    @Test("The trace matches a two-pass computation over the same minibatches")
    func matchesDirect() {
        let (x, labels) = separableData(count: 60, features: 36, seed: 11)
        let model = TrainerTests.tinyCNN(seed: 12)
        let trainer = Trainer(batchSize: 8, shuffle: RandomStream(seed: 1, path: "s"))
        let noise = trainer.gradientNoise(model, inputs: x, labels: labels, minibatches: 10, rng: RandomStream(seed: 5, path: "noise"))

        // The same minibatches by hand: consecutive slices of a permutation, a fresh one when the
        // 60 examples run out (after 7 minibatches of 8).
        var stream = RandomStream(seed: 5, path: "noise")
        var order = stream.permutation(60)
        var cursor = 0
        var gradients: [[Double]] = []
        let dropouts = model.layers.compactMap { $0 as? Dropout }
        let streams = dropouts.map(\.rng)
        for _ in 0..<10 {
            if cursor + 8 > 60 { order = stream.permutation(60); cursor = 0 }
            let rows = Array(order[cursor..<(cursor + 8)])
            cursor += 8
            model.zeroGradients()
            let loss = SoftmaxCrossEntropy.evaluate(logits: model.forward(x.gatherRows(rows), training: true),
                                                    labels: rows.map { labels[$0] })
            model.backward(loss.gradient)
            gradients.append(Self.flatGradient(model))
        }
        for (d, s) in zip(dropouts, streams) { d.rng = s }
        let dimension = gradients[0].count
        let mean = (0..<dimension).map { j in gradients.reduce(0) { $0 + $1[j] } / 10 }
        let trace = gradients.reduce(0.0) { total, g in total + zip(g, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } / 9
        let norm = mean.reduce(0) { $0 + $1 * $1 }
        #expect(noise.minibatches == 10 && noise.batchSize == 8)
        #expect(trace > 0 && abs(noise.traceCovariance - trace) <= 1e-6 * trace, "\(noise.traceCovariance) vs \(trace)")
        #expect(abs(noise.meanGradientSquaredNorm - norm) <= 1e-6 * norm)
        #expect(abs((noise.simpleNoiseScale ?? 0) - 8 * trace / norm) <= 1e-5 * 8 * trace / norm)
    }

    @Test("The model is left as it was: weights, running statistics and dropout streams")
    func leavesModelUnchanged() throws {
        let (x, labels) = separableData(count: 40, features: 36, seed: 13)
        let model = TrainerTests.tinyCNN(seed: 14)
        try TrainerTests.train(model, epochs: 1, shuffleSeed: 1, x: x, labels: labels)
        let twin = TrainerTests.tinyCNN(seed: 14)
        try TrainerTests.train(twin, epochs: 1, shuffleSeed: 1, x: x, labels: labels)
        let trainer = Trainer(batchSize: 8, shuffle: RandomStream(seed: 1, path: "s"))
        _ = trainer.gradientNoise(model, inputs: x, labels: labels, minibatches: 4, rng: RandomStream(seed: 2, path: "noise"))
        #expect(model.stateDict() == twin.stateDict())
        // Training continues exactly as if the estimate had not been taken (same dropout draws).
        try TrainerTests.train(model, epochs: 1, shuffleSeed: 2, x: x, labels: labels)
        try TrainerTests.train(twin, epochs: 1, shuffleSeed: 2, x: x, labels: labels)
        #expect(model.stateDict() == twin.stateDict())
    }

    @Test("Full-batch minibatches have no noise; smaller batches have more")
    func batchSizeDependence() {
        let (x, labels) = separableData(count: 64, features: 5, seed: 15)
        var rng = RandomStream(seed: 16, path: "model")
        let model = Architectures.mlp(inputs: 5, widths: [12], classes: 2, rng: &rng)
        func trace(_ batch: Int) -> GradientNoise {
            Trainer(batchSize: batch, shuffle: RandomStream(seed: 1, path: "s"))
                .gradientNoise(model, inputs: x, labels: labels, minibatches: 24, rng: RandomStream(seed: 3, path: "noise"))
        }
        let full = trace(64), small = trace(4), medium = trace(16)
        // Every full batch is the whole set in another order: only round-off differs.
        #expect(full.traceCovariance < 1e-9 * full.meanGradientSquaredNorm)
        #expect(small.traceCovariance > 2 * medium.traceCovariance)
        #expect(medium.traceCovariance > 0)
    }
}
