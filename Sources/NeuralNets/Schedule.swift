import Foundation

/// A learning-rate schedule: a decay rule, optionally preceded by a linear warm-up.
///
/// With `S` steps per epoch, epochs counted from 1 and steps within an epoch from 0, the global
/// step is `t = (epoch − 1)·S + step` and the run has `T = epochs·S` steps (or `T = steps` for a
/// run of a fixed number of steps):
/// ```
/// constant   η(t) = η₀
/// step       η(t) = η₀ · γ^⌊(epoch − 1)/step_size⌋          (torch StepLR, stepped per epoch)
/// cosine     η(t) = η₀ · ½ (1 + cos(π t / T))               (to 0 over the run, per step;
///                                                            Loshchilov & Hutter 2017, no restarts)
/// warm-up    η(t) ← η(t) · min(1, (t + 1)/W),  W = warmup_epochs·S   (Goyal et al. 2017)
/// ```
/// The warm-up multiplies whichever decay is chosen, so it combines with all three.
public struct LearningRateSchedule: Sendable, Equatable {
    public enum Decay: Sendable, Equatable {
        case constant
        /// Multiply by `gamma` every `stepSize` epochs.
        case step(stepSize: Int, gamma: Double)
        /// Cosine annealing from η₀ to 0 over the whole run.
        case cosine
    }

    public var baseLearningRate: Double
    public var decay: Decay
    /// Epochs of linear warm-up (0 for none).
    public var warmupEpochs: Int
    /// Length of the run, which the cosine decay needs.
    public var epochs: Int
    /// Steps of a run that stops after a fixed number of steps (its last epoch partial); the
    /// cosine decay then reaches 0 at this step instead of at `epochs·S`.
    public var totalSteps: Int?

    public init(baseLearningRate: Double, decay: Decay = .constant, warmupEpochs: Int = 0, epochs: Int,
                totalSteps: Int? = nil) {
        if case let .step(size, gamma) = decay {
            precondition(size > 0 && gamma > 0, "[LearningRateSchedule] step size \(size) and gamma \(gamma) must be positive")
        }
        precondition(warmupEpochs >= 0 && epochs > 0,
                     "[LearningRateSchedule] warm-up \(warmupEpochs) must be ≥ 0 and epochs \(epochs) > 0")
        self.baseLearningRate = baseLearningRate
        self.decay = decay
        self.warmupEpochs = warmupEpochs
        self.epochs = epochs
        self.totalSteps = totalSteps
    }

    /// The rate for step `step` (from 0) of epoch `epoch` (from 1).
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Double {
        let s = max(stepsPerEpoch, 1)
        let t = Double((epoch - 1) * s + step)
        var rate = baseLearningRate
        switch decay {
        case .constant:
            break
        case let .step(size, gamma):
            rate *= Foundation.pow(gamma, Double(max(epoch - 1, 0) / size))
        case .cosine:
            let total = Double(max(1, totalSteps ?? epochs * s))
            rate *= 0.5 * (1 + Foundation.cos(Double.pi * min(t, total) / total))
        }
        if warmupEpochs > 0 {
            rate *= min(1, (t + 1) / Double(warmupEpochs * s))
        }
        return rate
    }
}
