import Tensors

/// The layout of one image: `channels` planes of `height × width` pixels, stored plane after
/// plane (CHW), so a row of `[n, channels·height·width]` reshapes to `[n, C, H, W]`.
public struct ImageShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0,
                     "[ImageShape] extents must be positive, got \(channels)×\(height)×\(width)")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Values per image, `C·H·W`.
    public var features: Int { channels * height * width }
    /// Values per channel plane, `H·W`.
    public var planeSize: Int { height * width }

    /// `C×H×W`, e.g. `3×32×32`.
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// Which half of a dataset: the training split or the held-out test split.
public enum DataSplit: String, Sendable, Hashable, Codable, CaseIterable {
    case train, test
}

/// A prepared classification dataset: inputs as rows of a Float32 matrix and integer labels.
public struct LabeledSet: Sendable {
    /// Inputs, shape `[n, features]` (e.g. `[n, 784]`; images flattened channel-major, see `imageShape`).
    public var inputs: FloatTensor
    /// Class index of each row, in `0..<classes`.
    public var labels: [Int]
    /// Number of classes.
    public var classes: Int
    /// The image layout of each row, or nil when the rows are not images (synthetic points).
    public var imageShape: ImageShape?

    public init(inputs: FloatTensor, labels: [Int], classes: Int, imageShape: ImageShape? = nil) {
        precondition(inputs.rows == labels.count,
                     "[LabeledSet] \(inputs.rows) input rows but \(labels.count) labels")
        if let shape = imageShape {
            precondition(shape.features == inputs.columns,
                         "[LabeledSet] image shape \(shape) needs \(shape.features) values per row, inputs have \(inputs.columns)")
        }
        self.inputs = inputs
        self.labels = labels
        self.classes = classes
        self.imageShape = imageShape
    }

    public var count: Int { labels.count }

    /// Values per row.
    public var features: Int { inputs.columns }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledSet {
        LabeledSet(inputs: inputs.gatherRows(indices), labels: indices.map { labels[$0] }, classes: classes,
                   imageShape: imageShape)
    }

    /// How many rows carry each label, indexed by class.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classes)
        for y in labels where y >= 0 && y < classes { counts[y] += 1 }
        return counts
    }

    /// The inputs as `[n, C, H, W]` for convolutional layers, or nil for non-image rows.
    public var imageTensor: FloatTensor? {
        imageShape.map { inputs.reshaped([count, $0.channels, $0.height, $0.width]) }
    }
}

/// A train/test pair with the fingerprint of its decoded arrays and preprocessing.
public struct PreparedData: Sendable {
    public var train: LabeledSet
    public var test: LabeledSet
    /// SHA-256 (hex) of the decoded arrays plus the preprocessing settings.
    public var fingerprint: String
    /// Human-readable origin, e.g. the directory the files came from.
    public var source: String

    public init(train: LabeledSet, test: LabeledSet, fingerprint: String, source: String) {
        self.train = train
        self.test = test
        self.fingerprint = fingerprint
        self.source = source
    }

    /// The split named `split`.
    public subscript(split: DataSplit) -> LabeledSet {
        get { split == .train ? train : test }
        set { if split == .train { train = newValue } else { test = newValue } }
    }
}
