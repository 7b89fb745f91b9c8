/// One probe point of a model as the spec knows it: its name, and whether it is a *main* point
/// (a stage's output, probed by default) or a step inside a stage (probed when asked for).
public struct ProbePointName: Equatable, Sendable {
    public var name: String
    public var isMain: Bool

    public init(_ name: String, isMain: Bool = true) {
        self.name = name
        self.isMain = isMain
    }

    /// The inner point `<stage>.<step>`, e.g. `h1.pre`.
    static func step(_ stage: String, _ step: String) -> ProbePointName { ProbePointName("\(stage).\(step)", isMain: false) }
}

/// The probe points of each architecture in depth order, as the engine's builders name them
/// (`Architectures.mlp`, `.cnn`, `.resnet` in NeuralNets, which the spec module does not import;
/// the model factory checks that both lists agree for every model it builds).
///
/// Inner points carry a suffix on their stage's name: `.pre` after the dense layer or
/// convolution, `.bn` after batch normalisation, `.act` after the activation of a stage that
/// pools, `.sum` after a residual block's sum, before its ReLU.
public enum ProbePointNames {
    /// `input`, then `hi.pre`, `hi` per hidden layer, then `logits`.
    public static func mlp(hidden: Int) -> [ProbePointName] {
        [ProbePointName("input")] + dense(hidden) + [ProbePointName("logits")]
    }

    /// `input`; per stage `convi.pre`, `convi.bn` (with batch norm), `convi.act` (when pooling),
    /// `convi`; per hidden layer `hj.pre`, `hj`; `logits`.
    public static func cnn(stages: Int, hidden: Int, batchNorm: Bool, pooling: PoolingName) -> [ProbePointName] {
        var points = [ProbePointName("input")]
        for i in 0..<max(stages, 0) {
            let stage = "conv\(i + 1)"
            points.append(.step(stage, "pre"))
            if batchNorm { points.append(.step(stage, "bn")) }
            if pooling != .none { points.append(.step(stage, "act")) }
            points.append(ProbePointName(stage))
        }
        return points + dense(hidden) + [ProbePointName("logits")]
    }

    /// `input`, `conv1.pre`, `conv1.bn`, `conv1`; per block `blockk.sum`, `blockk`; `pool`, `logits`.
    public static func resnet(depth: Int) -> [ProbePointName] {
        let blocks = 3 * max(0, (depth - 2) / 6)
        return [ProbePointName("input"), .step("conv1", "pre"), .step("conv1", "bn"), ProbePointName("conv1")]
            + (0..<blocks).flatMap { [ProbePointName.step("block\($0 + 1)", "sum"), ProbePointName("block\($0 + 1)")] }
            + [ProbePointName("pool"), ProbePointName("logits")]
    }

    private static func dense(_ hidden: Int) -> [ProbePointName] {
        (0..<max(hidden, 0)).flatMap { [ProbePointName.step("h\($0 + 1)", "pre"), ProbePointName("h\($0 + 1)")] }
    }
}

extension ModelSpec {
    /// Every probe point of this model in depth order, main and inner.
    public var probePoints: [ProbePointName] {
        switch architecture {
        case .mlp: return ProbePointNames.mlp(hidden: widths.count)
        case .cnn: return ProbePointNames.cnn(stages: channels.count, hidden: widths.count, batchNorm: batchNorm, pooling: pooling)
        case .resnet: return ProbePointNames.resnet(depth: resnetDepth)
        }
    }

    /// The main probe points' names in depth order: the default probe set (`input`, `h1` …,
    /// `conv1` …, `block1` …, `pool`, `logits`).
    public var layerNames: [String] { probePoints.filter(\.isMain).map(\.name) }

    /// Every probe point's name in depth order, main and inner (what `probe.layers: all` probes).
    public var allLayerNames: [String] { probePoints.map(\.name) }
}
