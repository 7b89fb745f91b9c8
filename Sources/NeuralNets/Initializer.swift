import Tensors

/// Weight initialisation schemes, by fan-in and fan-out of a layer.
///
/// ```
/// he       W ~ N(0, 2/fan_in)                        He et al. 2015
/// glorot   W ~ U(±√(6/(fan_in+fan_out)))              Glorot & Bengio 2010
/// lecun    W ~ N(0, 1/fan_in)                        LeCun et al. 1998
/// pytorch  W, b ~ U(±1/√fan_in)                      torch.nn.Linear / Conv2d defaults
/// ```
/// Biases are zero except for `pytorch`. For a dense weight `(out, in)` the fans are `in` and
/// `out`; for a convolution weight `(out, in, kh, kw)` they are `in·kh·kw` and `out·kh·kw`, as
/// `torch.nn.init` computes them. Batch-norm scales start at 1 and shifts at 0 whatever the scheme.
public enum Initializer: String, Sendable, CaseIterable, Codable {
    case he, glorot, lecun, pytorch

    public func weights(shape: [Int], fanIn: Int, fanOut: Int, rng: inout RandomStream) -> FloatTensor {
        switch self {
        case .he: return rng.normalTensor(shape: shape, std: (2.0 / Double(fanIn)).squareRoot())
        case .lecun: return rng.normalTensor(shape: shape, std: (1.0 / Double(fanIn)).squareRoot())
        case .glorot:
            let a = (6.0 / Double(fanIn + fanOut)).squareRoot()
            return rng.uniformTensor(shape: shape, low: -a, high: a)
        case .pytorch:
            let a = 1.0 / Double(fanIn).squareRoot()
            return rng.uniformTensor(shape: shape, low: -a, high: a)
        }
    }

    public func bias(count: Int, fanIn: Int, rng: inout RandomStream) -> FloatTensor {
        guard self == .pytorch else { return FloatTensor(shape: [count]) }
        let a = 1.0 / Double(fanIn).squareRoot()
        return rng.uniformTensor(shape: [count], low: -a, high: a)
    }
}
