/// A named place in a network whose values ``Sequential/activations(of:layers:batchSize:)`` can
/// record.
///
/// Most probe points are a layer's output. A residual block also offers its pre-ReLU sum
/// (``Site/residualSum``), which only exists inside the block; it is computed apart only in an
/// eval pass that asks for it, so training and ordinary inference keep the fused kernel.
///
/// The *main* probe points are the outputs of whole stages (`h1`, `conv1`, `block1`, …): the
/// default probe set. The others (`h1.pre`, `conv1.bn`, `block1.sum`, …) resolve the steps inside
/// a stage: the linear map, batch normalisation, the activation before pooling, the residual sum.
public struct ProbePoint: Sendable, Equatable, CustomStringConvertible {
    /// Where in its layer the probe point reads.
    public enum Site: Sendable, Equatable {
        /// The layer's output (for `layerIndex` −1, the network's input).
        case output
        /// A ``ResidualBlock``'s `main(x) + shortcut(x)`, before its final ReLU.
        case residualSum
    }

    public var name: String
    /// Index of the layer in ``Sequential/layers``, −1 for the input.
    public var layerIndex: Int
    public var site: Site
    /// Whether the point belongs to the default probe set (a stage's output).
    public var isMain: Bool

    public init(name: String, layerIndex: Int, site: Site = .output, isMain: Bool = true) {
        self.name = name
        self.layerIndex = layerIndex
        self.site = site
        self.isMain = isMain
    }

    /// A point inside a stage: `name` is the stage's name and `step` the suffix (`pre`, `bn`,
    /// `act`, `sum`), joined by a dot.
    static func step(_ stage: String, _ step: String, layerIndex: Int, site: Site = .output) -> ProbePoint {
        ProbePoint(name: "\(stage).\(step)", layerIndex: layerIndex, site: site, isMain: false)
    }

    public var description: String {
        "\(name)@\(layerIndex)\(site == .residualSum ? ".sum" : "")\(isMain ? "" : " (inner)")"
    }
}
