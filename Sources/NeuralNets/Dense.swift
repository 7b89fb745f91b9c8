import Tensors

/// Fully connected layer with PyTorch's weight layout `(out, in)`.
///
/// ```
/// forward   y = x Wᵀ + b                 x: (B, in), W: (out, in), y: (B, out)
/// backward  ∂W += ∂yᵀ x,  ∂b += Σ_rows ∂y,  ∂x = ∂y W
/// ```
public final class Dense: Layer {
    public let inputDimensions: Int
    public let outputDimensions: Int
    public let weight: Parameter
    public let bias: Parameter
    private var input = FloatTensor(shape: [0, 0])

    public init(inputDimensions: Int, outputDimensions: Int, initializer: Initializer = .he,
                name: String = "", rng: inout RandomStream) {
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

    public func forward(_ x: FloatTensor, training: Bool) -> FloatTensor {
        precondition(x.columns == inputDimensions,
                     "[Dense.forward] input shape \(x.shape) does not have \(inputDimensions) features")
        if training { input = x }
        let batch = x.rows
        var y = FloatTensor(shape: [batch, outputDimensions])
        // Seed y with the bias so one GEMM with β = 1 produces x Wᵀ + b.
        y.scalars.withUnsafeMutableBufferPointer { out in
            bias.value.scalars.withUnsafeBufferPointer { b in
                for r in 0..<batch {
                    (out.baseAddress! + r * outputDimensions).update(from: b.baseAddress!, count: outputDimensions)
                }
            }
        }
        gemm(x, weight.value, transposeB: true, beta: 1, into: &y)
        return y
    }

    public func backward(_ dy: FloatTensor) -> FloatTensor {
        precondition(dy.rows == input.rows && dy.columns == outputDimensions,
                     "[Dense.backward] gradient shape \(dy.shape) does not match output (\(input.rows), \(outputDimensions))")
        gemm(dy, input, transposeA: true, beta: 1, into: &weight.grad)
        dy.scalars.withUnsafeBufferPointer { g in
            bias.grad.scalars.withUnsafeMutableBufferPointer { db in
                for r in 0..<dy.rows {
                    let row = g.baseAddress! + r * outputDimensions
                    for j in 0..<outputDimensions { db[j] += row[j] }
                }
            }
        }
        var dx = FloatTensor(shape: [dy.rows, inputDimensions])
        gemm(dy, weight.value, into: &dx)
        return dx
    }
}
