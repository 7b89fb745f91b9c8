import Foundation
import Tensors

/// The value and input gradient of a loss over a batch.
public struct LossResult {
    /// Mean loss over the batch.
    public var loss: Double
    /// ∂(mean loss)/∂logits, same shape as the logits.
    public var gradient: FloatTensor
    /// Rows whose arg-max equals the label.
    public var correct: Int
}

/// Softmax cross-entropy over the rows of a logit matrix, numerically stable.
///
/// ```
/// ℓᵢ = −zᵢ,yᵢ + log Σⱼ exp zᵢⱼ   (computed as m + log Σ exp(z − m), m = maxⱼ zᵢⱼ)
/// ∂ℓ/∂zᵢⱼ = (softmax(zᵢ)ⱼ − [j = yᵢ]) / B
/// ```
public enum SoftmaxCrossEntropy {
    public static func evaluate(logits: FloatTensor, labels: [Int], wantGradient: Bool = true) -> LossResult {
        let batch = logits.rows
        let classes = logits.columns
        precondition(labels.count == batch, "[SoftmaxCrossEntropy] \(batch) rows but \(labels.count) labels")
        var grad = wantGradient ? FloatTensor(shape: logits.shape) : FloatTensor(shape: [0])
        var total = 0.0
        var correct = 0
        logits.scalars.withUnsafeBufferPointer { z in
            for r in 0..<batch {
                let row = z.baseAddress! + r * classes
                let label = labels[r]
                precondition(label >= 0 && label < classes, "[SoftmaxCrossEntropy] label \(label) outside 0..<\(classes)")
                var m = row[0]
                var best = 0
                for j in 1..<classes where row[j] > m {
                    m = row[j]
                    best = j
                }
                if best == label { correct += 1 }
                var sum = 0.0
                for j in 0..<classes { sum += Foundation.exp(Double(row[j] - m)) }
                let logSum = Double(m) + Foundation.log(sum)
                total += logSum - Double(row[label])
                if wantGradient {
                    let scale = 1.0 / Double(batch)
                    for j in 0..<classes {
                        let p = Foundation.exp(Double(row[j]) - logSum)
                        grad.scalars[r * classes + j] = Float((p - (j == label ? 1 : 0)) * scale)
                    }
                }
            }
        }
        return LossResult(loss: batch > 0 ? total / Double(batch) : 0, gradient: grad, correct: correct)
    }
}
