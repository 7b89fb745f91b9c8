import Foundation
import Tensors

/// A run that cannot continue: the loss left the finite numbers.
public struct DivergenceError: Error, CustomStringConvertible {
    public var epoch: Int
    public var step: Int
    public var loss: Double
    public var description: String { "diverged at epoch \(epoch) step \(step): loss is \(loss)" }
}

/// Buffers a trainer reuses from step to step.
final class TrainerWorkspace {
    let labels = Scratch<Int>()
    let gradient = Scratch<Float>()
    let outputs = Scratch<Float>()
}

/// Minibatch training with seeded shuffling.
///
/// Each step gathers its rows straight into the model's input buffer, runs forward, loss and
/// backward over preallocated buffers, and updates the parameters in place; a step at a batch
/// size already seen allocates nothing. Same seed, data and BLAS thread count ⇒ bit-identical
/// weights.
public struct Trainer {
    public var batchSize: Int
    public var shuffle: RandomStream
    /// The objective; cross-entropy unless set.
    public var loss: LossKind
    /// When set, the optimizer's learning rate is set from it before every step.
    public var schedule: LearningRateSchedule?
    let workspace = TrainerWorkspace()

    public init(batchSize: Int, shuffle: RandomStream, loss: LossKind = .crossEntropy,
                schedule: LearningRateSchedule? = nil) {
        precondition(batchSize > 0, "[Trainer] batch size \(batchSize) must be positive")
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.loss = loss
        self.schedule = schedule
    }

    /// Gathers rows `indices` of `inputs` into the model's training buffer and their labels into
    /// the workspace; returns the label pointer.
    func loadBatch(_ model: Sequential, inputs: UnsafePointer<Float>, labels: [Int],
                   indices: UnsafeBufferPointer<Int>) -> UnsafeMutablePointer<Int> {
        let width = model.inputSize
        let x = model.trainingBatch(indices.count)
        let y = workspace.labels.reserve(indices.count)
        for (r, i) in indices.enumerated() {
            (x + r * width).update(from: inputs + i * width, count: width)
            y[r] = labels[i]
        }
        return y
    }

    /// Trains one epoch (`epoch` counts from 1) over a freshly shuffled order; the last partial
    /// batch is kept. With `maxSteps`, stops after that many steps (a partial epoch). Calls
    /// `progress(step, steps, runningLoss)` after each step, once the optimizer has updated the
    /// weights (so it may save them, as step checkpoints do); an error it throws ends the epoch.
    ///
    /// Returns the running loss and accuracy — averages over the examples of the steps taken, each
    /// measured before its step's update, so they mix the weights of the whole epoch — and the
    /// number of steps taken.
    public mutating func trainEpoch(
        _ model: Sequential, optimizer: Optimizer, inputs: FloatTensor, labels: [Int], epoch: Int, maxSteps: Int? = nil,
        progress: (Int, Int, Double) throws -> Void = { _, _, _ in }
    ) throws -> (loss: Double, accuracy: Double, steps: Int) {
        let n = inputs.rows
        precondition(labels.count == n, "[Trainer.trainEpoch] \(n) input rows but \(labels.count) labels")
        precondition(n == 0 || inputs.count == n * model.inputSize,
                     "[Trainer.trainEpoch] inputs \(inputs.shape) do not hold \(model.inputSize) scalars per row (model input \(model.inputShape))")
        let order = shuffle.permutation(n)
        let stepsPerEpoch = (n + batchSize - 1) / batchSize
        let steps = min(stepsPerEpoch, max(0, maxSteps ?? stepsPerEpoch))
        var seen = 0
        let classes = model.outputSize
        let params = model.parameters
        let layerParameters = model.layers.map(\.parameters)
        var totalLoss = 0.0
        var correct = 0
        try inputs.scalars.withUnsafeBufferPointer { source in
            try order.withUnsafeBufferPointer { shuffled in
                for step in 0..<steps {
                    let start = step * batchSize, count = min(n, start + batchSize) - start
                    let y = loadBatch(model, inputs: source.baseAddress!, labels: labels,
                                      indices: UnsafeBufferPointer(rebasing: shuffled[start..<(start + count)]))
                    for p in params { p.zeroGradient() }
                    let logits = model.forwardTraining(batch: count)
                    let g = workspace.gradient.reserve(count * classes)
                    let result = loss.evaluate(logits: logits, labels: y, batch: count, classes: classes, gradient: g)
                    let meanLoss = result.total / Double(count)
                    guard meanLoss.isFinite else {
                        throw DivergenceError(epoch: epoch, step: step + 1, loss: meanLoss)
                    }
                    if let schedule {
                        optimizer.learningRate = schedule.learningRate(epoch: epoch, step: step, stepsPerEpoch: stepsPerEpoch)
                    }
                    if optimizer.updatesParametersIndependently {
                        // Each layer is updated as soon as its gradients are complete, while they
                        // are still in cache; per-parameter updates make this one step.
                        model.backwardTraining(g) { i in optimizer.step(layerParameters[i]) }
                    } else {
                        model.backwardTraining(g)
                        optimizer.step(params)
                    }
                    totalLoss += result.total
                    correct += result.correct
                    seen += count
                    try progress(step + 1, steps, totalLoss / Double(seen))
                }
            }
        }
        return (totalLoss / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)), steps)
    }

    /// Mean loss and accuracy in eval mode.
    public static func evaluate(_ model: Sequential, inputs: FloatTensor, labels: [Int], batchSize: Int = 1000,
                                loss: LossKind = .crossEntropy) -> (loss: Double, accuracy: Double) {
        let n = inputs.rows
        precondition(labels.count == n, "[Trainer.evaluate] \(n) input rows but \(labels.count) labels")
        precondition(n == 0 || inputs.count == n * model.inputSize,
                     "[Trainer.evaluate] inputs \(inputs.shape) do not hold \(model.inputSize) scalars per row (model input \(model.inputShape))")
        let classes = model.outputSize, width = model.inputSize
        let step = max(1, batchSize)
        var outputs = [Float](repeating: 0, count: min(step, max(n, 1)) * classes)
        var total = 0.0
        var correct = 0
        inputs.scalars.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                outputs.withUnsafeMutableBufferPointer { z in
                    var start = 0
                    while start < n {
                        let count = min(step, n - start)
                        model.infer(x.baseAddress! + start * width, rows: count, into: z.baseAddress!)
                        let r = loss.evaluate(logits: z.baseAddress!, labels: y.baseAddress! + start, batch: count,
                                              classes: classes, gradient: nil)
                        total += r.total
                        correct += r.correct
                        start += count
                    }
                }
            }
        }
        let count = Double(max(n, 1))
        return (total / count, Double(correct) / count)
    }
}
