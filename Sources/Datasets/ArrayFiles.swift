import Foundation
import Tensors

/// A user's own classification data in four NumPy arrays (`.npy` files or members of `.npz`
/// archives): train inputs and labels, test inputs and labels.
///
/// Inputs are `N×D` rows (``Layout/flat``) or images, `N×C×H×W` (``Layout/nchw``) or
/// `N×H×W×C` (``Layout/nhwc``); an image array of rank 3 is `N×H×W`, one channel. Any dtype
/// ``NPY/DType`` lists is read; uint8 inputs are pixels and are divided by 255 into [0, 1], every
/// other dtype is converted to Float32 as it is. Labels are integers (int8/16/32/64, uint8/16) in
/// `0..<classes`, shape `(N,)` or `(N, 1)`.
public struct ArrayFiles: Sendable, Hashable, Codable {
    /// How the inputs' extents after the first are laid out.
    public enum Layout: String, Sendable, Hashable, Codable, CaseIterable {
        /// Channels first: `N×C×H×W` (PyTorch), or `N×H×W`.
        case nchw
        /// Channels last: `N×H×W×C` (TensorFlow, PIL), or `N×H×W`.
        case nhwc
        /// Vectors: `N×D`.
        case flat
    }

    /// The four arrays, by the spec key that names each.
    public enum Role: String, Sendable, CaseIterable {
        case trainInputs = "train_inputs", trainLabels = "train_labels"
        case testInputs = "test_inputs", testLabels = "test_labels"

        var isLabels: Bool { self == .trainLabels || self == .testLabels }
        var split: String { self == .trainInputs || self == .trainLabels ? "train" : "test" }
    }

    /// Where one array is: an `.npy` file, or the member `member` of an `.npz` archive.
    public struct Location: Sendable, Hashable, Codable, CustomStringConvertible {
        public var path: String
        public var member: String?

        public init(path: String, member: String? = nil) {
            self.path = path
            self.member = member
        }

        /// `path`, or `path[member]` for an archive member.
        public var description: String { member.map { "\(path)[\($0)]" } ?? path }
    }

    public var trainInputs: Location
    public var trainLabels: Location
    public var testInputs: Location
    public var testLabels: Location
    public var layout: Layout
    /// Number of classes; nil means one more than the largest label in either split.
    public var classes: Int?

    /// The most classes a label array may imply (the spec's bound on `data.arrays.classes`).
    public static let maximumClasses = 1_000_000

    public init(trainInputs: Location, trainLabels: Location, testInputs: Location, testLabels: Location,
                layout: Layout = .flat, classes: Int? = nil) {
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
        self.layout = layout
        self.classes = classes
    }

    public subscript(role: Role) -> Location {
        switch role {
        case .trainInputs: return trainInputs
        case .trainLabels: return trainLabels
        case .testInputs: return testInputs
        case .testLabels: return testLabels
        }
    }

    /// The distinct files read, in role order.
    public var paths: [String] {
        var seen = Set<String>()
        return Role.allCases.map { self[$0].path }.filter { seen.insert($0).inserted }
    }

    /// A problem with the arrays, blamed on the spec key (`train_inputs`, …, `layout`, `classes`)
    /// a user would change.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var message: String
        public var help: String?

        public var description: String { "data.arrays.\(key): \(message)" + (help.map { "\nhelp: \($0)" } ?? "") }
    }

    /// What the arrays hold, read from their headers and labels.
    public struct Summary: Sendable, Hashable, Codable {
        public var trainCount: Int
        public var testCount: Int
        /// Values per row.
        public var features: Int
        /// The image layout of a row (CHW after loading), nil for vectors.
        public var imageShape: ImageShape?
        public var classes: Int
        /// The inputs' dtype (the same in both splits), e.g. `uint8`.
        public var inputType: String
    }
}
