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

    public init(estimate: IDEstimate, dimension: Int) {
        self.estimate = estimate
        self.dimension = dimension
    }
}

/// One epoch's training and evaluation figures: one line of a train stage's `metrics.jsonl`.
public struct EpochMetrics: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double
    /// Trace of the covariance of minibatch gradients at the training batch size, when measured.
    public var gradientNoise: Double?

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double,
                seconds: Double, gradientNoise: Double? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.seconds = seconds
        self.gradientNoise = gradientNoise
    }

    enum CodingKeys: String, CodingKey {
        case epoch, seconds
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
        case testLoss = "test_loss", testAccuracy = "test_accuracy"
        case gradientNoise = "gradient_noise"
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
