import Foundation
import Tensors

/// The spread of minibatch gradients around their mean: the noise that SGD adds to gradient
/// descent at a given batch size.
///
/// From `m` minibatches `b = 1…m` of `B` examples each, with `g_b` the gradient of the mean loss
/// over minibatch `b` (all parameters concatenated) and `ḡ = (1/m) Σ_b g_b`:
/// ```
/// tr Cov[g_B] ≈ (1/(m − 1)) Σ_b ‖g_b − ḡ‖²          (unbiased; Welford's update per coordinate, in Double)
/// ‖ḡ‖²                                                (squared norm of the mean gradient)
/// B_simple = B · tr Cov[g_B] / ‖ḡ‖²                   (McCandlish et al. 2018, "simple noise scale")
/// ```
/// `tr Cov[g_B]` is the trace at the training batch size, about `tr Σ / B` for the per-example
/// covariance `Σ`; `B_simple` estimates `tr Σ / ‖G‖²` and is biased upward by the noise in `‖ḡ‖²`
/// when `m` is small.
public struct GradientNoise: Codable, Sendable, Equatable {
    public var traceCovariance: Double
    public var meanGradientSquaredNorm: Double
    /// Nil when the mean gradient is exactly zero.
    public var simpleNoiseScale: Double?
    public var batchSize: Int
    public var minibatches: Int

    enum CodingKeys: String, CodingKey {
        case traceCovariance = "trace_covariance", meanGradientSquaredNorm = "mean_gradient_squared_norm"
        case simpleNoiseScale = "simple_noise_scale", batchSize = "batch_size", minibatches
    }
}

extension Trainer {
    /// Estimates ``GradientNoise`` at this trainer's batch size from `minibatches` minibatches drawn
    /// without replacement by `rng` (a fresh permutation whenever the data run out). Pass the same
    /// stream every epoch to measure on the same minibatches.
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
        var order = stream.permutation(n)
        var cursor = 0
        let classes = model.outputSize
        inputs.scalars.withUnsafeBufferPointer { source in
            for b in 1...minibatches {
                if cursor + batch > n {
                    order = stream.permutation(n)
                    cursor = 0
                }
                let y = order.withUnsafeBufferPointer {
                    loadBatch(model, inputs: source.baseAddress!, labels: labels,
                              indices: UnsafeBufferPointer(rebasing: $0[cursor..<(cursor + batch)]))
                }
                cursor += batch
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
        let trace = m2.reduce(0, +) / Double(minibatches - 1)
        let squaredNorm = mean.reduce(0) { $0 + $1 * $1 }
        return GradientNoise(traceCovariance: trace, meanGradientSquaredNorm: squaredNorm,
                             simpleNoiseScale: squaredNorm > 0 ? Double(batch) * trace / squaredNorm : nil,
                             batchSize: batch, minibatches: minibatches)
    }
}
