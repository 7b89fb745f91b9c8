import ExperimentSpec

/// One estimate in tidy form: a configuration's replicate, at an epoch, on a layer, by an estimator.
public struct Observation: Codable, Equatable, Sendable {
    public var configuration: Int
    public var replicate: Int
    public var epoch: Int
    public var layer: String
    /// Depth position of the layer in its model (0 = input).
    public var layerIndex: Int
    public var estimator: String
    public var value: Double
    /// A step probe's global optimizer step (``epoch`` is then the epoch in progress); nil for an
    /// epoch probe. Rows of different steps, or a step row and an epoch row, are never grouped.
    public var step: Int?

    enum CodingKeys: String, CodingKey {
        case configuration, replicate, epoch, layer, estimator, value, step
        case layerIndex = "layer_index"
    }

    public init(configuration: Int, replicate: Int, epoch: Int, layer: String, layerIndex: Int, estimator: String, value: Double,
                step: Int? = nil) {
        self.step = step
        self.configuration = configuration
        self.replicate = replicate
        self.epoch = epoch
        self.layer = layer
        self.layerIndex = layerIndex
        self.estimator = estimator
        self.value = value
    }
}

/// One per-point training metric in tidy form (`test_accuracy`, `train_loss`, `noise_scale`, …).
public struct MetricObservation: Codable, Equatable, Sendable {
    public var configuration: Int
    public var replicate: Int
    public var epoch: Int
    public var metric: String
    public var value: Double

    public init(configuration: Int, replicate: Int, epoch: Int, metric: String, value: Double) {
        self.configuration = configuration
        self.replicate = replicate
        self.epoch = epoch
        self.metric = metric
        self.value = value
    }
}

/// What the claims engine needs to know of one configuration.
public struct ClaimConfiguration: Codable, Equatable, Sendable {
    public var index: Int
    /// Short label without the replicate seed, e.g. `width=128` (`base` when nothing is swept).
    public var label: String
    /// Swept key path → value as written (the replicate seed excluded).
    public var assignments: [String: String]
    /// The model's probe points in depth order (resolves `last_hidden`).
    public var layerNames: [String]
    /// The layers probed, in depth order (the default profile).
    public var probedLayers: [String]
    /// The last training epoch (resolves `last`).
    public var lastEpoch: Int

    public init(index: Int, label: String, assignments: [String: String], layerNames: [String], probedLayers: [String], lastEpoch: Int) {
        self.index = index
        self.label = label
        self.assignments = assignments
        self.layerNames = layerNames
        self.probedLayers = probedLayers
        self.lastEpoch = lastEpoch
    }
}

/// Everything a spec's claims are evaluated from: the configurations and the tidy results.
public struct ClaimData: Sendable {
    public var configurations: [ClaimConfiguration]
    public var observations: [Observation]
    public var metrics: [MetricObservation]

    public init(configurations: [ClaimConfiguration], observations: [Observation], metrics: [MetricObservation] = []) {
        self.configurations = configurations
        self.observations = observations
        self.metrics = metrics
    }

    /// The configurations of a loaded spec, taken from its first replicate of each.
    public static func configurations(of spec: LoadedSpec) -> [ClaimConfiguration] {
        var out: [ClaimConfiguration] = []
        for p in spec.points where !out.contains(where: { $0.index == p.configuration }) {
            let assignments = Dictionary(p.assignments.filter { $0.path != p.replicatePath && $0.path != p.probeReplicatePath }.map { ($0.path, $0.value) },
                                         uniquingKeysWith: { a, _ in a })
            out.append(ClaimConfiguration(index: p.configuration, label: p.configurationLabel, assignments: assignments,
                                          layerNames: p.experiment.layerNames, probedLayers: p.experiment.probedLayers,
                                          lastEpoch: p.experiment.train.epochs))
        }
        return out.sorted { $0.index < $1.index }
    }

    /// Claim data for a loaded spec: observations and metrics carry each point's configuration
    /// and replicate (``RunPoint/configuration``, ``RunPoint/replicate``).
    public init(spec: LoadedSpec, observations: [Observation], metrics: [MetricObservation] = []) {
        self.init(configurations: Self.configurations(of: spec), observations: observations, metrics: metrics)
    }
}

extension Observation {
    /// An observation of run point `point`, carrying its configuration and replicate.
    public init(point: RunPoint, epoch: Int, layer: String, layerIndex: Int, estimator: String, value: Double) {
        self.init(configuration: point.configuration, replicate: point.replicate, epoch: epoch, layer: layer,
                  layerIndex: layerIndex, estimator: estimator, value: value)
    }
}

extension MetricObservation {
    /// A metric of run point `point` after `epoch`, carrying its configuration and replicate.
    public init(point: RunPoint, epoch: Int, metric: String, value: Double) {
        self.init(configuration: point.configuration, replicate: point.replicate, epoch: epoch, metric: metric, value: value)
    }
}
