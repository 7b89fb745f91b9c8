import Dimensionality
import Foundation
import Tensors

/// `data.json`: what a data stage prepared.
public struct DataRecord: JSONBundleFile, Sendable, Equatable {
    public static let fileName = "data.json"
    public var fingerprint: String
    public var source: String
    public var trainCount: Int
    public var testCount: Int
    public var classes: Int
    public var features: Int

    public init(fingerprint: String, source: String, trainCount: Int, testCount: Int, classes: Int, features: Int) {
        self.fingerprint = fingerprint
        self.source = source
        self.trainCount = trainCount
        self.testCount = testCount
        self.classes = classes
        self.features = features
    }

    enum CodingKeys: String, CodingKey {
        case fingerprint, source, classes, features
        case trainCount = "train_count", testCount = "test_count"
    }
}

/// `probe.json`: which examples a probe stage fed through the network, and their classes.
///
/// Row i of every `<layer>.npy` of the stage is example `indices[i]` of the `split` split, of
/// class `labels[i]` (the task-relevance measures read them).
public struct ProbeRecord: JSONBundleFile, Sendable, Equatable {
    public static let fileName = "probe.json"
    /// `train` or `test`.
    public var split: String
    /// Ascending positions of the probe examples in their split.
    public var indices: [Int]
    /// The class of each probe example, in the same order.
    public var labels: [Int]
    /// The number of classes of the dataset.
    public var classes: Int

    public init(split: String, indices: [Int], labels: [Int], classes: Int) {
        self.split = split
        self.indices = indices
        self.labels = labels
        self.classes = classes
    }
}

/// `estimate.json`: one estimator's answer on one layer (the engine's full ``IDEstimate``, plus
/// the layer's width).
public struct EstimateRecord: JSONBundleFile, Sendable, Equatable {
    public static let fileName = "estimate.json"
    public var estimate: IDEstimate
    public var dimension: Int
    /// With `per_class`: the estimate on each class's probe points alone, by ascending label;
    /// nil (and absent from the file) otherwise.
    public var perClass: [ClassEstimate]?

    public init(estimate: IDEstimate, dimension: Int, perClass: [ClassEstimate]? = nil) {
        self.estimate = estimate
        self.dimension = dimension
        self.perClass = perClass
    }

    enum CodingKeys: String, CodingKey {
        case estimate, dimension
        case perClass = "per_class"
    }
}

/// One epoch's training and evaluation figures: one line of a train stage's `metrics.jsonl`.
///
/// Epoch 0 is the network before training: it has evaluated figures but no running ones. Lines
/// written before evaluated training figures existed (train format version 2 and earlier) decode
/// with those fields nil, and their `gradient_noise` is read as ``gradientNoise``.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    /// Mean loss over the epoch's minibatches, each taken before its update (nil at epoch 0).
    public var trainLoss: Double?
    /// Accuracy over the epoch's minibatches, as ``trainLoss`` (nil at epoch 0).
    public var trainAccuracy: Double?
    /// Loss on the whole training split, evaluated after the epoch (eval mode).
    public var trainLossEval: Double?
    /// Accuracy on the whole training split, evaluated after the epoch (eval mode).
    public var trainAccuracyEval: Double?
    public var testLoss: Double
    public var testAccuracy: Double
    /// Seconds of training in the epoch (0 at epoch 0).
    public var seconds: Double
    /// `grad_noise_trace` = tr Σ_B, the trace of the covariance of the minibatch gradient at the
    /// training batch size B, after the epoch, when measured (exactly 0 for full-batch training).
    public var gradientNoise: Double?
    /// `noise_temperature` = η · tr Σ_B, with η the learning rate of the epoch's last step.
    public var noiseTemperature: Double?
    /// The learning rate of the epoch's last step (of the first step, at epoch 0).
    public var learningRate: Double?
    /// Optimizer steps taken from the start of training to the end of this epoch.
    public var steps: Int?
    /// With `train.target_loss`: whether ``trainLossEval`` is at or below the target (training
    /// stops after the first epoch where it is).
    public var targetReached: Bool?

    public init(epoch: Int, trainLoss: Double?, trainAccuracy: Double?, testLoss: Double, testAccuracy: Double,
                seconds: Double, gradientNoise: Double? = nil, trainLossEval: Double? = nil, trainAccuracyEval: Double? = nil,
                noiseTemperature: Double? = nil, learningRate: Double? = nil, steps: Int? = nil, targetReached: Bool? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.trainLossEval = trainLossEval
        self.trainAccuracyEval = trainAccuracyEval
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.seconds = seconds
        self.gradientNoise = gradientNoise
        self.noiseTemperature = noiseTemperature
        self.learningRate = learningRate
        self.steps = steps
        self.targetReached = targetReached
    }

    /// The training loss a reader should use: evaluated when recorded, else the running mean.
    public var trainLossBest: Double? { trainLossEval ?? trainLoss }
    /// The training accuracy a reader should use: evaluated when recorded, else the running mean.
    public var trainAccuracyBest: Double? { trainAccuracyEval ?? trainAccuracy }

    enum CodingKeys: String, CodingKey {
        case epoch, seconds, steps
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
        case trainLossEval = "train_loss_eval", trainAccuracyEval = "train_accuracy_eval"
        case testLoss = "test_loss", testAccuracy = "test_accuracy"
        case gradientNoise = "grad_noise_trace", noiseTemperature = "noise_temperature"
        case learningRate = "learning_rate", targetReached = "target_reached"
    }

    /// The key older bundles wrote ``gradientNoise`` under.
    private enum LegacyKeys: String, CodingKey { case gradientNoise = "gradient_noise" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        trainLoss = try c.decodeIfPresent(Double.self, forKey: .trainLoss)
        trainAccuracy = try c.decodeIfPresent(Double.self, forKey: .trainAccuracy)
        trainLossEval = try c.decodeIfPresent(Double.self, forKey: .trainLossEval)
        trainAccuracyEval = try c.decodeIfPresent(Double.self, forKey: .trainAccuracyEval)
        testLoss = try c.decode(Double.self, forKey: .testLoss)
        testAccuracy = try c.decode(Double.self, forKey: .testAccuracy)
        seconds = try c.decode(Double.self, forKey: .seconds)
        gradientNoise = try c.decodeIfPresent(Double.self, forKey: .gradientNoise)
            ?? decoder.container(keyedBy: LegacyKeys.self).decodeIfPresent(Double.self, forKey: .gradientNoise)
        noiseTemperature = try c.decodeIfPresent(Double.self, forKey: .noiseTemperature)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps)
        targetReached = try c.decodeIfPresent(Bool.self, forKey: .targetReached)
    }
}

/// `metrics.jsonl`: a train stage's per-epoch metrics, one canonical JSON object a line.
public enum MetricsLog {
    public static let fileName = "metrics.jsonl"

    public static func render(_ epochs: [EpochMetrics]) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try epochs.map { String(decoding: try e.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    public static func write(_ epochs: [EpochMetrics], to directory: URL) throws {
        try AtomicWrite.write(try render(epochs), to: directory.appendingPathComponent(fileName))
    }

    public static func read(from directory: URL) throws -> [EpochMetrics] {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BundleError.unreadable(url.path, "missing or unreadable")
        }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated().map { i, line in
            do {
                return try JSONDecoder().decode(EpochMetrics.self, from: Data(line.utf8))
            } catch {
                throw BundleError.unreadable(url.path, "line \(i + 1): \(DecodingProblem.describe(error))")
            }
        }
    }
}
