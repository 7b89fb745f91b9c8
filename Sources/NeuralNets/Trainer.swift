import Foundation
import Tensors

/// One epoch's training and evaluation figures.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double,
                seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case epoch, seconds
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
        case testLoss = "test_loss", testAccuracy = "test_accuracy"
    }
}

/// A run that cannot continue: the loss left the finite numbers.
public struct DivergenceError: Error, CustomStringConvertible {
    public var epoch: Int
    public var step: Int
    public var loss: Double
    public var description: String { "diverged at epoch \(epoch) step \(step): loss is \(loss)" }
}

/// Minibatch training with seeded shuffling.
public struct Trainer {
    public var batchSize: Int
    public var shuffle: RandomStream

    public init(batchSize: Int, shuffle: RandomStream) {
        precondition(batchSize > 0, "[Trainer] batch size \(batchSize) must be positive")
        self.batchSize = batchSize
        self.shuffle = shuffle
    }

    /// Trains one epoch (`epoch` counts from 1) over a freshly shuffled order; the last partial
    /// batch is kept. Calls `progress(step, steps, runningLoss)` after each step.
    public mutating func trainEpoch(
        _ model: Sequential, optimizer: Optimizer, inputs: FloatTensor, labels: [Int], epoch: Int,
        progress: (Int, Int, Double) -> Void = { _, _, _ in }
    ) throws -> (loss: Double, accuracy: Double) {
        let n = inputs.rows
        let order = shuffle.permutation(n)
        let steps = (n + batchSize - 1) / batchSize
        var totalLoss = 0.0
        var correct = 0
        let params = model.parameters
        for step in 0..<steps {
            let idx = Array(order[(step * batchSize)..<min(n, (step + 1) * batchSize)])
            let x = inputs.gatherRows(idx)
            let y = idx.map { labels[$0] }
            model.zeroGradients()
            let logits = model.forward(x, training: true)
            let result = SoftmaxCrossEntropy.evaluate(logits: logits, labels: y)
            guard result.loss.isFinite else {
                throw DivergenceError(epoch: epoch, step: step + 1, loss: result.loss)
            }
            model.backward(result.gradient)
            optimizer.step(params)
            totalLoss += result.loss * Double(idx.count)
            correct += result.correct
            progress(step + 1, steps, totalLoss / Double(min(n, (step + 1) * batchSize)))
        }
        return (totalLoss / Double(max(n, 1)), Double(correct) / Double(max(n, 1)))
    }

    /// Mean loss and accuracy in eval mode.
    public static func evaluate(_ model: Sequential, inputs: FloatTensor, labels: [Int], batchSize: Int = 1000) -> (loss: Double, accuracy: Double) {
        var total = 0.0
        var correct = 0
        var start = 0
        while start < inputs.rows {
            let end = min(start + batchSize, inputs.rows)
            let logits = model.forward(inputs.rows(start..<end), training: false)
            let r = SoftmaxCrossEntropy.evaluate(logits: logits, labels: Array(labels[start..<end]), wantGradient: false)
            total += r.loss * Double(end - start)
            correct += r.correct
            start = end
        }
        let n = Double(max(inputs.rows, 1))
        return (total / n, Double(correct) / n)
    }
}
