import Tensors

/// Fully connected layer with PyTorch's weight layout `(out, in)` (`torch.nn.Linear`).
///
/// ```
/// forward   y = x Wᵀ + b                 x: (B, in), W: (out, in), y: (B, out)
/// backward  ∂W += ∂yᵀ x,  ∂b += Σ_rows ∂y,  ∂x = ∂y W
/// ```
/// Initialisation: `initializer` with fan-in `in` and fan-out `out`.
/// - Complexity: O(B · in · out) per pass, in three GEMMs.
public final class Dense: Layer {
    public let inputDimensions: Int
    public let outputDimensions: Int
    public let weight: Parameter
    public let bias: Parameter
    public let tape = LayerTape()

    public init(inputDimensions: Int, outputDimensions: Int, initializer: Initializer = .he,
                name: String = "", rng: inout RandomStream) {
        precondition(inputDimensions > 0 && outputDimensions > 0,
                     "[Dense] dimensions \(inputDimensions)→\(outputDimensions) must be positive")
        self.inputDimensions = inputDimensions
        self.outputDimensions = outputDimensions
        let prefix = name.isEmpty ? "" : name + "."
        weight = Parameter(name: prefix + "weight",
                           value: initializer.weights(shape: [outputDimensions, inputDimensions],
                                                      fanIn: inputDimensions, fanOut: outputDimensions, rng: &rng))
        bias = Parameter(name: prefix + "bias",
                         value: initializer.bias(count: outputDimensions, fanIn: inputDimensions, rng: &rng))
    }

    public var summary: String { "Dense(\(inputDimensions)→\(outputDimensions))" }
    public var parameters: [Parameter] { [weight, bias] }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        precondition(inputShape.reduce(1, *) == inputDimensions,
                     "[Dense.forward] input shape \(inputShape) does not have \(inputDimensions) features")
        return [outputDimensions]
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        forward(x, into: y, batch: batch, fusedReLU: false)
    }

    /// The forward pass, optionally followed by a ReLU in the same sweep over `y`
    /// (`y = max(0, x Wᵀ + b)`), which the engine uses for `Dense` → `ReLU` pairs.
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, fusedReLU: Bool) {
        let n = outputDimensions
        weight.withValue { w in
            gemmRaw(.none, .transposed, m: batch, n: n, k: inputDimensions, alpha: 1,
                    x, lda: inputDimensions, w, ldb: inputDimensions, beta: 0, y, ldc: n)
        }
        bias.withValue { b in
            if fusedReLU {
                Kernels.addRowVectorReLU(y, b, rows: batch, columns: n)
            } else {
                Kernels.addRowVector(y, b, rows: batch, columns: n)
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        let n = outputDimensions, k = inputDimensions
        weight.accumulateGradient { dw, beta in
            gemmRaw(.transposed, .none, m: n, n: k, k: batch, alpha: 1, dy, lda: n, x, ldb: k, beta: beta, dw, ldc: k)
        }
        bias.accumulateGradient { db, beta in
            Kernels.columnSums(dy, rows: batch, columns: n, into: db, beta: beta)
        }
        if let dx {
            weight.withValue { w in
                gemmRaw(.none, .none, m: batch, n: k, k: n, alpha: 1, dy, lda: n, w, ldb: k, beta: 0, dx, ldc: k)
            }
        }
    }
}
