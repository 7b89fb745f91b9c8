import Foundation
import Tensors

/// The spread of minibatch gradients around their mean: the noise that SGD adds to gradient
/// descent at a given batch size.
///
/// With `g_i` the gradient of example `i`'s loss (all parameters concatenated), `G = (1/N) Σ_i g_i`
/// the full-batch gradient and `Σ₁ = (1/N) Σ_i (g_i − G)(g_i − G)ᵀ` the per-example covariance over
/// the N training examples, a minibatch `S` of `B` distinct examples drawn uniformly at random has
/// gradient `g_S = (1/B) Σ_{i∈S} g_i` with
/// ```
/// E[g_S] = G,    Σ_B := Cov[g_S] = Σ₁/B · (N − B)/(N − 1)            (sampling without replacement)
/// ```
/// — the covariance of the step SGD takes at batch size B, which vanishes for B = N. It is
/// estimated from `m` minibatches `S_1 … S_m`, each drawn afresh and independently of the others:
/// ```
/// tr Σ_B ≈ (1/(m − 1)) Σ_b ‖g_b − ḡ‖²,   ḡ = (1/m) Σ_b g_b            (unbiased; Welford, in Double)
/// ‖ḡ‖²                                                                 (squared norm of the mean gradient)
/// B_simple = B · tr Σ_B / ‖ḡ‖²                                         (McCandlish et al. 2018, "simple noise scale")
/// ```
/// Independent draws matter: consecutive slices of one permutation are negatively correlated, and
/// their sample variance estimates `tr Σ₁/B · N/(N − 1)` instead. `tr Σ_B` already carries the
/// factor 1/B; `B_simple` estimates `tr Σ₁ / ‖G‖²` and is biased upward by the noise in `‖ḡ‖²`
/// when `m` is small.
public struct GradientNoise: Codable, Sendable, Equatable {
    /// `tr Σ_B`, the trace of the covariance of the minibatch gradient at batch size ``batchSize``.
    public var traceCovariance: Double
    public var meanGradientSquaredNorm: Double
    /// Nil when the mean gradient is exactly zero.
    public var simpleNoiseScale: Double?
    public var batchSize: Int
    /// Minibatches the estimate used (1 when the batch is the whole set).
    public var minibatches: Int

    enum CodingKeys: String, CodingKey {
        case traceCovariance = "trace_covariance", meanGradientSquaredNorm = "mean_gradient_squared_norm"
        case simpleNoiseScale = "simple_noise_scale", batchSize = "batch_size", minibatches
    }
}

extension Trainer {
    /// Estimates ``GradientNoise`` at this trainer's batch size from `minibatches` minibatches, each
    /// a uniformly random set of `B` distinct examples drawn by `rng` independently of the others
    /// (a partial Fisher–Yates shuffle per minibatch). Pass the same stream every epoch to measure
    /// on the same minibatches.
    ///
    /// When the batch holds the whole training set (`B ≥ N`) every draw is the same set and
    /// `tr Σ_B` is exactly 0: it is returned as 0 from a single full-batch gradient, without
    /// sampling.
    ///
    /// Gradients are taken in training mode (batch statistics, dropout masks) as SGD sees them,
    /// but the model is left as it was: batch-norm running statistics and dropout streams are
    /// restored, no parameter moves. Each ``Parameter/grad`` is left holding the last minibatch's
    /// gradient.
    /// - Complexity: `minibatches` forward and backward passes, O(parameters) extra memory.
    public func gradientNoise(_ model: Sequential, inputs: FloatTensor, labels: [Int], minibatches: Int = 16,
                              rng: RandomStream) -> GradientNoise {
        let n = inputs.rows
        precondition(minibatches >= 2, "[Trainer.gradientNoise] needs at least 2 minibatches, got \(minibatches)")
        precondition(n > 0 && labels.count == n && inputs.count == n * model.inputSize,
                     "[Trainer.gradientNoise] inputs \(inputs.shape) and \(labels.count) labels do not match a model taking \(model.inputSize) scalars per example")
        let batch = min(batchSize, n)
        let params = model.parameters
        let total = params.reduce(0) { $0 + $1.value.count }
        let savedBuffers = model.buffers.map(\.value)
        let dropouts = model.chain.allLayers.compactMap { $0 as? Dropout }
        let savedStreams = dropouts.map(\.rng)
        defer {
            for (b, v) in zip(model.buffers, savedBuffers) { b.value = v }
            for (d, s) in zip(dropouts, savedStreams) { d.rng = s }
        }

        var mean = [Double](repeating: 0, count: total), m2 = [Double](repeating: 0, count: total)
        var stream = rng
        var pool = Array(0..<n)
        let classes = model.outputSize
        let draws = batch >= n ? 1 : minibatches
        inputs.scalars.withUnsafeBufferPointer { source in
            for b in 1...draws {
                // The first `batch` slots become a uniform random subset, whatever order the pool is in.
                if batch < n {
                    for i in 0..<batch {
                        let j = i + Int(stream.next() % UInt64(n - i))
                        pool.swapAt(i, j)
                    }
                }
                let y = pool.withUnsafeBufferPointer {
                    loadBatch(model, inputs: source.baseAddress!, labels: labels,
                              indices: UnsafeBufferPointer(rebasing: $0[0..<batch]))
                }
                for p in params { p.zeroGradient() }
                let logits = model.forwardTraining(batch: batch)
                let g = workspace.gradient.reserve(batch * classes)
                _ = loss.evaluate(logits: logits, labels: y, batch: batch, classes: classes, gradient: g)
                model.backwardTraining(g)
                // Welford: μ ← μ + (x − μ)/b,  M₂ ← M₂ + (x − μ_old)(x − μ_new).
                var offset = 0
                for p in params {
                    p.withValueAndGradient { _, grad, count in
                        for i in 0..<count {
                            let x = Double(grad[i])
                            let delta = x - mean[offset + i]
                            mean[offset + i] += delta / Double(b)
                            m2[offset + i] += delta * (x - mean[offset + i])
                        }
                    }
                    offset += p.value.count
                }
            }
        }
        let trace = draws < 2 ? 0 : m2.reduce(0, +) / Double(draws - 1)
        let squaredNorm = mean.reduce(0) { $0 + $1 * $1 }
        return GradientNoise(traceCovariance: trace, meanGradientSquaredNorm: squaredNorm,
                             simpleNoiseScale: squaredNorm > 0 ? Double(batch) * trace / squaredNorm : nil,
                             batchSize: batch, minibatches: draws)
    }
}
