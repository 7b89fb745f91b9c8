import EstimatorVocabulary
import Yams

/// One fully resolved run point of an experiment: every default filled in, no sweeps left.
///
/// Mirrors `Schemas/experiment.schema.json`; the keys below are the YAML keys.
public struct Experiment: Codable, Equatable, Sendable {
    public var name: String
    public var description: String
    public var data: DataSpec
    public var model: ModelSpec
    public var train: TrainSpec
    public var probe: ProbeSpec
    public var estimators: EstimatorsSpec
    public var execution: ExecutionSpec
    /// Activations exported from a network trained elsewhere, analysed instead of training
    /// (`activations:`); nil for a spec that trains. When set, ``probe`` holds its epochs and
    /// layers and ``train`` only the seed that numbers replicates.
    public var activations: ActivationsSpec? = nil

    /// One line saying what the run point trains, probes and estimates (for `plan`).
    public var summary: String {
        if let a = activations {
            return "activations imported from \(a.runDirectory(seed: train.seed)) (\(a.format.rawValue)), "
                + "epochs \(a.epochs.map(String.init).joined(separator: ",")), \(a.layers.count) layer(s); "
                + "estimators \(estimators.names.joined(separator: ","))"
        }
        let net: String
        switch model.architecture {
        case .mlp: net = "mlp " + model.widths.map(String.init).joined(separator: "-")
        case .cnn: net = "cnn channels " + model.channels.map(String.init).joined(separator: "-") + " head " + model.widths.map(String.init).joined(separator: "-")
        case .resnet: net = "resnet-\(model.resnetDepth) width \(model.baseWidth)"
        }
        return "\(net), \(train.optimizer.rawValue) lr \(train.lr), batch \(train.isFullBatch ? "full" : String(train.batchSize)), \(train.lengthSummary), seed \(train.seed); "
            + "probe " + probeTimes + " on \(probe.size) \(probe.split.rawValue) points; "
            + "estimators \(estimators.names.joined(separator: ","))"
    }

    /// The probed epochs and steps, as `plan` prints them.
    private var probeTimes: String {
        let epochs = probe.steps == nil || !probe.epochs.isEmpty ? ["epochs " + probe.epochs.map(String.init).joined(separator: ",")] : []
        return (epochs + (probe.steps.map { ["steps " + $0.map(String.init).joined(separator: ",")] } ?? [])).joined(separator: " ")
    }

    /// The top-level keys, in schema order.
    public static let keys = ["name", "description", "activations", "data", "model", "train", "probe", "estimators", "execution"]
}

public enum ArchitectureName: String, Codable, Sendable, NodeEnum {
    /// Dense layers, depth × width: the "DeepNet" of Recanatesi et al. 2019.
    case mlp
    /// Convolution stages (conv, activation, 2×2 pooling) and a dense head.
    case cnn
    /// CIFAR-style ResNet-n (n = 6k + 2) of He et al. 2016.
    case resnet
}

public enum Activation: String, Codable, Sendable, NodeEnum {
    case relu, tanh, gelu, identity
}

public enum InitName: String, Codable, Sendable, NodeEnum {
    case he, glorot, lecun, pytorch
}

public enum PoolingName: String, Codable, Sendable, NodeEnum {
    case max, average, none
}

/// The network.
public struct ModelSpec: Codable, Equatable, Sendable {
    public var architecture: ArchitectureName
    /// Hidden dense widths: the MLP's hidden layers, or the CNN's dense head.
    public var widths: [Int]
    /// CNN: output channels of each convolution stage.
    public var channels: [Int]
    /// CNN: square kernel size of every convolution.
    public var kernelSize: Int
    /// CNN: pooling after each convolution stage.
    public var pooling: PoolingName
    /// CNN: batch normalisation after each convolution.
    public var batchNorm: Bool
    /// CNN: dropout probability before each dense layer of the head.
    public var dropout: Double
    /// ResNet: depth n = 6k + 2.
    public var resnetDepth: Int
    /// ResNet: channels of the first stage (doubled at each of the next two).
    public var baseWidth: Int
    public var activation: Activation
    public var initializer: InitName
    /// A `.safetensors` checkpoint to start from (PyTorch `state_dict` names), or nil.
    public var initFrom: String?

    enum CodingKeys: String, CodingKey {
        case architecture, widths, channels, pooling, dropout, activation
        case kernelSize = "kernel_size", batchNorm = "batch_norm", resnetDepth = "resnet_depth"
        case baseWidth = "base_width", initializer = "init", initFrom = "init_from"
    }
}

public enum OptimizerName: String, Codable, Sendable, NodeEnum {
    case sgd, adam, adamw
}

public enum ScheduleName: String, Codable, Sendable, NodeEnum {
    case constant, step, cosine
}

public enum LossName: String, Codable, Sendable, NodeEnum {
    case crossEntropy = "cross_entropy", mse
}

/// How the network is trained.
public struct TrainSpec: Codable, Equatable, Sendable {
    public var optimizer: OptimizerName
    public var lr: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var schedule: ScheduleName
    public var stepSize: Int
    public var gamma: Double
    public var warmupEpochs: Int
    public var loss: LossName
    public var batchSize: Int
    public var epochs: Int
    /// The run point's root seed: every stage derives its own stream from it.
    public var seed: UInt64
    /// Minibatches used to estimate the SGD noise scale after each epoch (0: not measured).
    public var noiseBatches: Int
    /// `batch_size: full`: every step is one gradient-descent step on the whole training split
    /// (``batchSize`` then holds the split's size as known when the spec was read). Nil otherwise,
    /// so specs that do not use it keep their stage keys.
    public var fullBatch: Bool? = nil
    /// `train.steps`: the run stops after this many optimizer steps; ``epochs`` is then derived as
    /// ⌈steps / steps per epoch⌉, the last epoch possibly partial. Nil: train for ``epochs``.
    public var steps: Int? = nil
    /// `train.target_loss`: stop after the first epoch whose training loss, evaluated on the whole
    /// training split, is at most this; ``epochs`` is the maximum. Nil: no target.
    public var targetLoss: Double? = nil

    enum CodingKeys: String, CodingKey {
        case optimizer, lr, momentum, nesterov, epochs, seed, beta1, beta2, eps, schedule, gamma, loss, steps
        case weightDecay = "weight_decay", batchSize = "batch_size", stepSize = "step_size"
        case warmupEpochs = "warmup_epochs", noiseBatches = "noise_batches"
        case fullBatch = "full_batch", targetLoss = "target_loss"
    }

    /// Whether every step sees the whole training split.
    public var isFullBatch: Bool { fullBatch == true }

    /// Minibatches per epoch over `trainCount` examples (the last one partial).
    public func stepsPerEpoch(trainCount: Int) -> Int {
        isFullBatch ? 1 : max(1, (trainCount + batchSize - 1) / batchSize)
    }

    /// How long training runs, as `plan` prints it.
    var lengthSummary: String {
        if let steps { return "\(steps) step(s) over \(epochs) epoch(s)" }
        if let targetLoss { return "to train loss ≤ \(targetLoss) within \(epochs) epoch(s)" }
        return "\(epochs) epoch(s)"
    }
}

public enum Split: String, Codable, Sendable, NodeEnum {
    case train, test
}

/// When and where activations are recorded.
public struct ProbeSpec: Codable, Equatable, Sendable {
    /// Epochs after which to probe; 0 is the untrained network.
    public var epochs: [Int]
    /// Points in the probe set.
    public var size: Int
    public var split: Split
    /// Seed of the probe set's selection, shared by all run points so estimates are comparable.
    public var seed: UInt64
    /// Probe points by name; empty means the model's main probe points (``ModelSpec/layerNames``).
    /// `all` and `main` in the YAML are expanded here into the names they stand for.
    public var layers: [String]
    /// `probe.steps`: global optimizer-step counts at which to probe as well (0 = untrained),
    /// sorted and without duplicates. Nil when not asked for, so existing specs keep their keys.
    public var steps: [Int]? = nil

    /// Most entries `probe.steps` may list.
    public static let maxSteps = 1000

    /// Words `probe.layers` accepts besides layer names: every probe point, or the main ones.
    public static let layerGroups = ["all", "main"]
}

/// Which intrinsic-dimension estimators run, with their settings.
///
/// Settings are carried as text to the engine, which reads the same names
/// (`accordion estimate --estimator mle:k=20,average=mean` takes the same keys).
public struct EstimatorsSpec: Codable, Equatable, Sendable {
    /// Participation ratio of the covariance spectrum.
    public var pr: Settings?
    /// Principal components explaining a variance fraction.
    public var pca: Settings?
    /// Two-nearest-neighbour estimator (Facco et al. 2017).
    public var twonn: Settings?
    /// Levina–Bickel maximum likelihood with k neighbours.
    public var mle: Settings?
    /// Local PCA in k-neighbourhoods.
    public var localPCA: Settings?
    /// Grassberger–Procaccia correlation dimension.
    public var corrdim: Settings?
    /// Task relevance: the between-class fraction of the variance (in [0, 1]; needs labels).
    public var classGeometry: Settings?
    /// Task relevance: cross-validated ridge-classifier accuracy (in [0, 1]; needs labels).
    public var linearProbe: Settings?

    enum CodingKeys: String, CodingKey {
        case pr, pca, twonn, mle, corrdim
        case localPCA = "local_pca"
        case classGeometry = "class_geometry"
        case linearProbe = "linear_probe"
    }

    /// One estimator's settings, name → value as written (defaults left to the engine).
    public typealias Settings = [String: String]

    /// The setting (`per_class: true`) asking for an estimate on each class's probe points too.
    public static let perClassKey = EstimatorCatalog.Common.perClass.key

    /// The estimators that accept `per_class: true` (the intrinsic-dimension ones).
    public static let perClassEstimators = EstimatorCatalog.entries.filter(\.perClass).map(\.name)

    /// The estimator names in output order.
    public static let order = EstimatorCatalog.names

    /// Names of the estimators present, in a fixed order.
    public var names: [String] { configured.map(\.name) }

    /// Each estimator present with its settings as text, in a fixed order.
    public var configured: [ConfiguredEstimator] {
        let all: [(String, Settings?)] = [("pr", pr), ("pca", pca), ("twonn", twonn), ("mle", mle),
                                          ("local_pca", localPCA), ("corrdim", corrdim),
                                          ("class_geometry", classGeometry), ("linear_probe", linearProbe)]
        return all.compactMap { name, settings in settings.map { ConfiguredEstimator(name: name, settings: $0) } }
    }
}

/// An estimator by name with its settings, as the engine takes them.
public struct ConfiguredEstimator: Sendable, Equatable {
    public var name: String
    public var settings: [String: String]
}

public enum ExecutorName: String, Codable, Sendable, NodeEnum {
    case local, slurm
}

/// Where and how stages run.
public struct ExecutionSpec: Codable, Equatable, Sendable {
    public var executor: ExecutorName
    /// Stages run side by side; 0 means one per core.
    public var jobs: Int
    /// Threads inside each stage: the stage splits its own work (training: each batch) across them,
    /// with OpenBLAS single-threaded in each.
    public var threads: Int
}
