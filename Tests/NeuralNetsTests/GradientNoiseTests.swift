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

        // The same minibatches by hand: each the first 8 slots of a partial Fisher–Yates shuffle
        // of the pool, drawn afresh for every minibatch.
        var stream = RandomStream(seed: 5, path: "noise")
        var pool = Array(0..<60)
        var gradients: [[Double]] = []
        let dropouts = model.layers.compactMap { $0 as? Dropout }
        let streams = dropouts.map(\.rng)
        for _ in 0..<10 {
            for i in 0..<8 { pool.swapAt(i, i + Int(stream.next() % UInt64(60 - i))) }
            let rows = Array(pool[0..<8])
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
        // Every full batch is the whole set: the covariance is exactly 0, from one gradient.
        #expect(full.traceCovariance == 0 && full.minibatches == 1 && full.meanGradientSquaredNorm > 0)
        #expect(small.traceCovariance > 2 * medium.traceCovariance)
        #expect(medium.traceCovariance > 0)
    }

    /// Least squares through one linear layer: z = W x + b, ℓᵢ = (1/C) ‖zᵢ − tᵢ‖², so example i's
    /// gradient is (2/C) dᵢ xᵢᵀ for W and (2/C) dᵢ for b, with dᵢ = zᵢ − tᵢ.
    ///
    /// With Σ₁ the per-example covariance (1/N) Σᵢ (gᵢ − G)(gᵢ − G)ᵀ, a minibatch of B distinct
    /// examples drawn uniformly has Cov[g_B] = Σ₁/B · (N − B)/(N − 1), so the estimate from m
    /// independent minibatches has expectation tr Σ₁/B · (N − B)/(N − 1). Its standard error is about
    /// √(2/(m − 1)) of it at worst (one dominant direction), 2.6 % for m = 3000: 10 % is about four
    /// standard errors, and the without-replacement factor (30/39 for N = 40, B = 10) differs from
    /// what consecutive slices of one permutation estimate (N/(N − 1) = 40/39) by a third.
    @Test("Known answer: tr Σ_B = tr Σ₁/B · (N − B)/(N − 1) for linear least squares")
    func linearLeastSquares() {
        let n = 40, features = 6, classes = 3, batch = 10
        var rng = RandomStream(seed: 21, path: "data")
        let x: FloatTensor = rng.normalTensor(shape: [n, features])
        let labels = (0..<n).map { _ in Int(rng.next() % UInt64(classes)) }
        var init_ = RandomStream(seed: 22, path: "model")
        let dense = Dense(inputDimensions: features, outputDimensions: classes, rng: &init_)
        let model = Sequential(layers: [dense], probePoints: [("logits", 0)])

        // Per-example gradients in closed form, in Double.
        let w = dense.weight.value.scalars.map(Double.init), b = dense.bias.value.scalars.map(Double.init)
        var gradients: [[Double]] = []
        for i in 0..<n {
            let xi = (0..<features).map { Double(x.scalars[i * features + $0]) }
            var gw = [Double](), gb = [Double]()
            for k in 0..<classes {
                let z = b[k] + (0..<features).reduce(0.0) { $0 + w[k * features + $1] * xi[$1] }
                let d = 2 * (z - (labels[i] == k ? 1 : 0)) / Double(classes)
                gw += xi.map { d * $0 }
                gb.append(d)
            }
            gradients.append(gw + gb)
        }
        let dimension = gradients[0].count
        let mean = (0..<dimension).map { j in gradients.reduce(0) { $0 + $1[j] } / Double(n) }
        let traceOne = gradients.reduce(0.0) { t, g in t + zip(g, mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } / Double(n)
        let expected = traceOne / Double(batch) * Double(n - batch) / Double(n - 1)

        let noise = Trainer(batchSize: batch, shuffle: RandomStream(seed: 1, path: "s"), loss: .mse)
            .gradientNoise(model, inputs: x, labels: labels, minibatches: 3000, rng: RandomStream(seed: 23, path: "noise"))
        #expect(noise.minibatches == 3000 && noise.batchSize == batch)
        #expect(abs(noise.traceCovariance / expected - 1) < 0.10,
                "estimated \(noise.traceCovariance), expected tr Σ₁/B·(N−B)/(N−1) = \(expected) (tr Σ₁ = \(traceOne))")
        // Not the scheme of disjoint slices, whose expectation is tr Σ₁/B · N/(N − 1).
        #expect(noise.traceCovariance < 0.9 * traceOne / Double(batch) * Double(n) / Double(n - 1))
        // The mean gradient estimates G: ‖ḡ‖² ≈ ‖G‖² + tr Σ_B/m.
        let norm = mean.reduce(0) { $0 + $1 * $1 }
        #expect(abs(noise.meanGradientSquaredNorm - norm - expected / 3000) < 0.1 * norm + 3 * expected / 3000)

        // The whole set as the batch: no noise at all.
        let full = Trainer(batchSize: n, shuffle: RandomStream(seed: 1, path: "s"), loss: .mse)
            .gradientNoise(model, inputs: x, labels: labels, minibatches: 16, rng: RandomStream(seed: 23, path: "noise"))
        #expect(full.traceCovariance == 0)
        #expect(abs(full.meanGradientSquaredNorm - norm) <= 1e-4 * norm)
    }
}
