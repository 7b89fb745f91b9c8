import Foundation
import Tensors

/// The value and input gradient of a loss over a batch.
public struct LossResult {
    /// Mean loss over the batch.
    public var loss: Double
    /// ∂(mean loss)/∂logits, same shape as the logits.
    public var gradient: FloatTensor
    /// Rows whose arg-max equals the label (0 for regression targets).
    public var correct: Int
}

/// The training objective for classification with integer labels.
public enum LossKind: String, Sendable, CaseIterable, Codable {
    /// ``SoftmaxCrossEntropy``.
    case crossEntropy = "cross_entropy"
    /// ``MeanSquaredError`` against one-hot targets.
    case mse

    /// Raw kernel: the summed (not averaged) loss and the number of correct rows; writes
    /// ∂(mean loss)/∂logits into `gradient` when given.
    func evaluate(logits z: UnsafePointer<Float>, labels: UnsafePointer<Int>, batch: Int, classes: Int,
                  gradient: UnsafeMutablePointer<Float>?) -> (total: Double, correct: Int) {
        var total = 0.0
        var correct = 0
        for r in 0..<batch {
            let row = z + r * classes
            let label = labels[r]
            precondition(label >= 0 && label < classes, "[\(rawValue) loss] label \(label) outside 0..<\(classes)")
            var m = row[0]
            var best = 0
            for j in 1..<max(classes, 1) where row[j] > m {
                m = row[j]
                best = j
            }
            if best == label { correct += 1 }
            let g = gradient.map { $0 + r * classes }
            switch self {
            case .crossEntropy:
                var sum = 0.0
                for j in 0..<classes { sum += Foundation.exp(Double(row[j] - m)) }
                let logSum = Double(m) + Foundation.log(sum)
                total += logSum - Double(row[label])
                if let g {
                    let scale = 1.0 / Double(batch)
                    for j in 0..<classes {
                        let p = Foundation.exp(Double(row[j]) - logSum)
                        g[j] = Float((p - (j == label ? 1 : 0)) * scale)
                    }
                }
            case .mse:
                let scale = 2.0 / Double(batch * classes)
                for j in 0..<classes {
                    let d = Double(row[j]) - (j == label ? 1 : 0)
                    total += d * d / Double(classes)
                    g?[j] = Float(d * scale)
                }
            }
        }
        return (total, correct)
    }

    /// The loss of `logits` against `labels`, with its gradient unless `wantGradient` is false.
    public func evaluate(logits: FloatTensor, labels: [Int], wantGradient: Bool = true) -> LossResult {
        let batch = logits.rows, classes = logits.columns
        precondition(labels.count == batch, "[\(rawValue) loss] \(batch) rows but \(labels.count) labels")
        precondition(classes > 0 || batch == 0, "[\(rawValue) loss] logits \(logits.shape) have no classes")
        var grad = wantGradient ? FloatTensor(shape: logits.shape) : FloatTensor(shape: [0])
        guard batch > 0 else { return LossResult(loss: 0, gradient: grad, correct: 0) }
        let (total, correct) = logits.scalars.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                grad.scalars.withUnsafeMutableBufferPointer { g in
                    evaluate(logits: z.baseAddress!, labels: y.baseAddress!, batch: batch, classes: classes,
                             gradient: wantGradient ? g.baseAddress : nil)
                }
            }
        }
        return LossResult(loss: total / Double(batch), gradient: grad, correct: correct)
    }
}

/// Softmax cross-entropy over the rows of a logit matrix, numerically stable
/// (`torch.nn.CrossEntropyLoss`, mean reduction).
///
/// ```
/// ℓᵢ = −zᵢ,yᵢ + log Σⱼ exp zᵢⱼ   (computed as m + log Σ exp(z − m), m = maxⱼ zᵢⱼ)
/// ∂ℓ/∂zᵢⱼ = (softmax(zᵢ)ⱼ − [j = yᵢ]) / B
/// ```
public enum SoftmaxCrossEntropy {
    public static func evaluate(logits: FloatTensor, labels: [Int], wantGradient: Bool = true) -> LossResult {
        LossKind.crossEntropy.evaluate(logits: logits, labels: labels, wantGradient: wantGradient)
    }
}

/// Mean squared error averaged over every scalar (`torch.nn.MSELoss`, mean reduction).
///
/// ```
/// L = (1/(B·C)) Σᵢⱼ (zᵢⱼ − tᵢⱼ)²          ∂L/∂zᵢⱼ = 2 (zᵢⱼ − tᵢⱼ) / (B·C)
/// ```
/// For classification the targets are one-hot: `tᵢⱼ = [j = yᵢ]`.
public enum MeanSquaredError {
    /// Against one-hot targets of `labels`; `correct` counts rows whose arg-max is the label.
    public static func evaluate(logits: FloatTensor, labels: [Int], wantGradient: Bool = true) -> LossResult {
        LossKind.mse.evaluate(logits: logits, labels: labels, wantGradient: wantGradient)
    }

    /// Against real-valued `targets` of the same shape (regression); `correct` is 0.
    public static func evaluate(outputs: FloatTensor, targets: FloatTensor, wantGradient: Bool = true) -> LossResult {
        precondition(outputs.shape == targets.shape, "[mse loss] outputs \(outputs.shape) and targets \(targets.shape) differ in shape")
        let n = Double(max(outputs.count, 1))
        var total = 0.0
        var grad = wantGradient ? FloatTensor(shape: outputs.shape) : FloatTensor(shape: [0])
        for i in 0..<outputs.count {
            let d = Double(outputs.scalars[i]) - Double(targets.scalars[i])
            total += d * d
            if wantGradient { grad.scalars[i] = Float(2 * d / n) }
        }
        return LossResult(loss: total / n, gradient: grad, correct: 0)
    }
}
