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
    ///
    /// With several workers (``Parallelism``) each takes a contiguous range of output units (of
    /// `y` and `∂W`) or of inputs (of `∂x`), so that each packs only its own slice of `W` and no
    /// sum is split between workers.
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, fusedReLU: Bool) {
        let n = outputDimensions, k = inputDimensions
        weight.withValue { w in
            bias.withValue { b in
                Parallelism.split(n, minimum: Self.minimumSlice, alignment: 16) { units in
                    let yr = y + units.lowerBound
                    gemmRaw(.none, .transposed, m: batch, n: units.count, k: k, alpha: 1,
                            x, lda: k, w + units.lowerBound * k, ldb: k, beta: 0, yr, ldc: n)
                    if fusedReLU {
                        Kernels.addRowVectorReLU(yr, b + units.lowerBound, rows: batch, columns: units.count, stride: n)
                    } else {
                        Kernels.addRowVector(yr, b + units.lowerBound, rows: batch, columns: units.count, stride: n)
                    }
                }
            }
        }
    }

    /// Units (or inputs) per worker below which a product stays on one thread.
    static let minimumSlice = 32

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        let n = outputDimensions, k = inputDimensions
        weight.accumulateGradient { dw, beta in
            Parallelism.split(n, minimum: Self.minimumSlice, alignment: 16) { units in
                gemmRaw(.transposed, .none, m: units.count, n: k, k: batch, alpha: 1, dy + units.lowerBound, lda: n,
                        x, ldb: k, beta: beta, dw + units.lowerBound * k, ldc: k)
            }
        }
        bias.accumulateGradient { db, beta in
            Kernels.columnSums(dy, rows: batch, columns: n, into: db, beta: beta)
        }
        if let dx {
            weight.withValue { w in
                Parallelism.split(k, minimum: Self.minimumSlice, alignment: 16) { inputs in
                    gemmRaw(.none, .none, m: batch, n: inputs.count, k: n, alpha: 1, dy, lda: n, w + inputs.lowerBound, ldb: k,
                            beta: 0, dx + inputs.lowerBound, ldc: k)
                }
            }
        }
    }
}
