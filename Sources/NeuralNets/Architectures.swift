import Tensors

/// A network configuration that cannot be built, with the reason and what would work.
public enum ArchitectureError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let message): return message
        }
    }
}

/// Builders for the architectures a spec can name, and their probe-point names.
///
/// Each builder has a `…ProbeNames` twin that lists the main probe points of a configuration
/// without building it (so a spec can be checked before anything trains), and throws the same
/// ``ArchitectureError`` the configuration would fail with.
///
/// Besides the main probe points (the outputs of whole stages, the default probe set) every
/// builder names the steps inside a stage with a dotted suffix on the stage's name:
///
/// | suffix | value |
/// |---|---|
/// | `.pre` | after the dense layer or convolution, before anything else |
/// | `.bn` | after batch normalisation (eval mode: running statistics) |
/// | `.act` | after the activation, before pooling (only when the stage pools) |
/// | `.sum` | a residual block's `main + shortcut`, before its final ReLU |
public enum Architectures {
    /// A multilayer perceptron, `input → width × depth → classes`, the "DeepNet" of
    /// Recanatesi et al. 2019. Dense layers are named `0`, `2`, `4`, … as in a PyTorch
    /// `nn.Sequential(Linear, ReLU, Linear, …)`, so checkpoints share PyTorch's `state_dict` keys.
    ///
    /// Probe points, in depth order: `input`; for each hidden layer i, `hi.pre` (`W x + b`,
    /// inner) and `hi` (after the activation, main); `logits`. Main points: `input`, `h1` …
    /// `h<depth>`, `logits`.
    public static func mlp(inputs: Int, widths: [Int], classes: Int, activation: ActivationKind = .relu,
                           initializer: Initializer = .he, rng: inout RandomStream) -> Sequential {
        var layers: [Layer] = []
        var probes = [ProbePoint(name: "input", layerIndex: -1)]
        var fanIn = inputs
        for (i, width) in widths.enumerated() {
            layers.append(Dense(inputDimensions: fanIn, outputDimensions: width, initializer: initializer,
                                name: String(layers.count), rng: &rng))
            probes.append(.step("h\(i + 1)", "pre", layerIndex: layers.count - 1))
            layers.append(Activation(activation))
            probes.append(ProbePoint(name: "h\(i + 1)", layerIndex: layers.count - 1))
            fanIn = width
        }
        layers.append(Dense(inputDimensions: fanIn, outputDimensions: classes, initializer: initializer,
                            name: String(layers.count), rng: &rng))
        probes.append(ProbePoint(name: "logits", layerIndex: layers.count - 1))
        return Sequential(layers: layers, probes: probes, inputShape: [inputs])
    }

    /// The probe points of ``mlp(inputs:widths:classes:activation:initializer:rng:)`` with
    /// `depth` hidden layers: `input`, `h1` … `h<depth>`, `logits` (the main points).
    public static func mlpProbeNames(depth: Int) -> [String] {
        ["input"] + (0..<max(depth, 0)).map { "h\($0 + 1)" } + ["logits"]
    }
}
