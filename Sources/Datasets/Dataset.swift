import Tensors

/// A prepared classification dataset: inputs as rows of a Float32 matrix and integer labels.
public struct LabeledSet: Sendable {
    /// Inputs, shape `[n, features...]` (e.g. `[n, 1, 28, 28]` or flattened `[n, 784]`).
    public var inputs: FloatTensor
    /// Class index of each row, in `0..<classes`.
    public var labels: [Int]
    /// Number of classes.
    public var classes: Int

    public init(inputs: FloatTensor, labels: [Int], classes: Int) {
        precondition(inputs.rows == labels.count,
                     "[LabeledSet] \(inputs.rows) input rows but \(labels.count) labels")
        self.inputs = inputs
        self.labels = labels
        self.classes = classes
    }

    public var count: Int { labels.count }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledSet {
        LabeledSet(inputs: inputs.gatherRows(indices), labels: indices.map { labels[$0] }, classes: classes)
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
}
