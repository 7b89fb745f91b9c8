import Tensors

/// A chain of layers with named probe points.
///
/// A probe point names the output of a layer (e.g. `h1` after the first hidden ReLU) or the
/// input (`input`). ``activations(of:layers:batchSize:)`` streams a probe set through the network
/// in eval mode and collects the named outputs.
public final class Sequential {
    public let layers: [Layer]
    /// Probe name → index of the layer whose output it is (−1 for the input).
    public let probePoints: [(name: String, layerIndex: Int)]

    public init(layers: [Layer], probePoints: [(name: String, layerIndex: Int)]) {
        self.layers = layers
        self.probePoints = probePoints
    }

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var probeNames: [String] { probePoints.map(\.name) }

    public func forward(_ x: FloatTensor, training: Bool) -> FloatTensor {
        var h = x
        for layer in layers { h = layer.forward(h, training: training) }
        return h
    }

    public func backward(_ dy: FloatTensor) {
        var g = dy
        for layer in layers.reversed() { g = layer.backward(g) }
    }

    public func zeroGradients() {
        for p in parameters {
            p.grad.scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    /// Activations at the named probe points for every row of `inputs`, in eval mode.
    ///
    /// Rows are processed `batchSize` at a time so the network's temporaries stay bounded.
    public func activations(of inputs: FloatTensor, layers names: [String], batchSize: Int = 512) -> [String: FloatTensor] {
        let wanted = probePoints.filter { names.contains($0.name) }
        var collected: [String: [Float]] = [:]
        var widths: [String: Int] = [:]
        var start = 0
        while start < inputs.rows {
            let end = min(start + batchSize, inputs.rows)
            var h = inputs.rows(start..<end)
            for point in wanted where point.layerIndex == -1 {
                collected[point.name, default: []] += h.scalars
                widths[point.name] = h.columns
            }
            for (index, layer) in layers.enumerated() {
                h = layer.forward(h, training: false)
                for point in wanted where point.layerIndex == index {
                    collected[point.name, default: []] += h.scalars
                    widths[point.name] = h.columns
                }
            }
            start = end
        }
        var out: [String: FloatTensor] = [:]
        for (name, scalars) in collected {
            out[name] = FloatTensor(shape: [inputs.rows, widths[name]!], scalars: scalars)
        }
        return out
    }
}

/// Builders for the architectures a spec can name.
public enum Architectures {
    /// A multilayer perceptron, `input → width × depth → classes`, the "DeepNet" of
    /// Recanatesi et al. 2019. Dense layers are named `0`, `2`, `4`, … as in a PyTorch
    /// `nn.Sequential(Linear, ReLU, Linear, …)`, so checkpoints share PyTorch's `state_dict` keys.
    ///
    /// Probe points: `input`, `h1` … `h<depth>` (after each activation), `logits`.
    public static func mlp(inputs: Int, widths: [Int], classes: Int, activation: ActivationKind = .relu,
                           initializer: Initializer = .he, rng: inout RandomStream) -> Sequential {
        var layers: [Layer] = []
        var probes: [(String, Int)] = [("input", -1)]
        var fanIn = inputs
        for (i, width) in widths.enumerated() {
            layers.append(Dense(inputDimensions: fanIn, outputDimensions: width, initializer: initializer,
                                name: String(layers.count), rng: &rng))
            layers.append(Activation(activation))
            probes.append(("h\(i + 1)", layers.count - 1))
            fanIn = width
        }
        layers.append(Dense(inputDimensions: fanIn, outputDimensions: classes, initializer: initializer,
                            name: String(layers.count), rng: &rng))
        probes.append(("logits", layers.count - 1))
        return Sequential(layers: layers, probePoints: probes)
    }
}
