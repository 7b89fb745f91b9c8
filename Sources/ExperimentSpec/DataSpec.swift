import Yams

public enum DatasetName: String, Codable, Sendable, NodeEnum {
    case fashionMNIST = "fashion-mnist"
    case cifar10, cifar100
    /// A synthetic point set of known intrinsic dimension (`data.manifold`).
    case manifold
    /// Gaussian clusters dealt to classes (`data.clusters`).
    case clusters
    /// A user's own `.npy` / `.npz` arrays (`data.arrays`).
    case arrays
}

/// How the inputs of `data.arrays` are laid out after the example axis.
public enum ArrayLayout: String, Codable, Sendable, NodeEnum {
    /// Images `N×C×H×W` (or `N×H×W`), channels first as PyTorch stores them.
    case nchw
    /// Images `N×H×W×C` (or `N×H×W`), channels last as TensorFlow and PIL store them.
    case nhwc
    /// Vectors `N×D`.
    case flat
}

/// A user's own data: four NumPy arrays, each an `.npy` file or a member of one `.npz` archive.
///
/// Paths are absolute once decoded: a relative path written in the spec is taken from the spec
/// file's directory, one given in a command-line override from the current directory.
public struct ArraysSpec: Codable, Hashable, Sendable {
    /// An `.npz` archive holding the four arrays as members; nil when each is its own `.npy` file.
    public var file: String?
    /// Paths of the four `.npy` files, or, with ``file``, the names of its members.
    public var trainInputs: String
    public var trainLabels: String
    public var testInputs: String
    public var testLabels: String
    public var layout: ArrayLayout
    /// Number of classes; nil means one more than the largest label.
    public var classes: Int?

    enum CodingKeys: String, CodingKey {
        case file, layout, classes
        case trainInputs = "train_inputs", trainLabels = "train_labels"
        case testInputs = "test_inputs", testLabels = "test_labels"
    }

    /// The four array keys in the order they are checked.
    public static let arrayKeys = ["train_inputs", "train_labels", "test_inputs", "test_labels"]

    /// The path or member name under one of ``arrayKeys``.
    public func value(of key: String) -> String {
        switch key {
        case "train_inputs": return trainInputs
        case "train_labels": return trainLabels
        case "test_inputs": return testInputs
        default: return testLabels
        }
    }

    /// Every file read: the archive, or the four `.npy` files without repeats.
    public var files: [String] {
        if let file { return [file] }
        var seen = Set<String>()
        return Self.arrayKeys.map(value(of:)).filter { seen.insert($0).inserted }
    }
}

public enum LabelKind: String, Codable, Sendable, NodeEnum {
    case fine, coarse
}

public enum ShuffleTarget: String, Codable, Sendable, NodeEnum {
    case none, train, test, both
}

public enum ManifoldKind: String, Codable, Sendable, NodeEnum {
    case hypercube, hypersphere, swissRoll = "swiss_roll", torus, flatTorus = "flat_torus", gaussian, linear
    case momentCurve = "moment_curve"
}

/// A synthetic manifold of known intrinsic dimension, randomly and isometrically embedded.
public struct ManifoldSpec: Codable, Hashable, Sendable {
    public var kind: ManifoldKind
    /// Intrinsic dimension d (hypercube, hypersphere S^d, flat torus, gaussian, linear); the degree of the moment curve.
    public var dimension: Int
    /// Ambient dimension D of the embedding.
    public var ambient: Int
    /// Standard deviation of isotropic Gaussian noise added after embedding.
    public var noise: Double
    public var trainPoints: Int
    public var testPoints: Int

    enum CodingKeys: String, CodingKey {
        case kind, dimension, ambient, noise
        case trainPoints = "train_points", testPoints = "test_points"
    }
}

/// How the centres of the clustered task are drawn.
public enum ClusterCenters: String, Codable, Sendable, NodeEnum {
    /// c ~ N(0, s² I), s = `center_std`.
    case gaussian
    /// c ~ U[−L/2, L/2]^D, L = `side`.
    case uniform
}

/// Many isotropic Gaussian clusters in a high-dimensional space, each randomly assigned to one of
/// `classes` classes (Farrell, Recanatesi et al. 2019).
///
/// The settings added after the first release are nil when they hold their defaults (Gaussian
/// centres of standard deviation 1, two classes), so data stages written before them keep their keys.
public struct ClustersSpec: Codable, Hashable, Sendable {
    public var ambient: Int
    public var count: Int
    public var std: Double
    public var trainPerCluster: Int
    public var testPerCluster: Int
    /// The centre distribution; nil means `gaussian`.
    public var centers: ClusterCenters? = nil
    /// Standard deviation of Gaussian centres along every axis; nil means 1.
    public var centerStd: Double? = nil
    /// Side length L of the hypercube of uniform centres (`centers: uniform`; nil otherwise).
    public var side: Double? = nil
    /// Number of classes the clusters are dealt to; nil means 2.
    public var classes: Int? = nil

    enum CodingKeys: String, CodingKey {
        case ambient, count, std, centers, side, classes
        case trainPerCluster = "train_per_cluster", testPerCluster = "test_per_cluster"
        case centerStd = "center_std"
    }

    public static let defaultSide = 2.0

    /// The centre distribution in effect.
    public var centerDistribution: ClusterCenters { centers ?? .gaussian }
    /// The number of classes in effect.
    public var classCount: Int { classes ?? 2 }
}

public enum SubsetMethod: String, Codable, Sendable, NodeEnum {
    case first, stratified, random
}

public enum Scaling: String, Codable, Sendable, NodeEnum {
    /// Pixels divided by 255, in [0, 1].
    case unit
    /// Pixels scaled to [0, 1], then standardised by the training set's mean and standard deviation.
    case standardize
}

/// Which data the networks see.
public struct DataSpec: Codable, Hashable, Sendable {
    public var dataset: DatasetName
    /// Directory with the dataset files; nil means the dataset's default location.
    public var path: String?
    /// Training examples to use (nil: all).
    public var trainSize: Int?
    /// Test examples to use (nil: all).
    public var testSize: Int?
    public var subset: SubsetMethod
    public var scaling: Scaling
    /// Seed for random subsets, label shuffling and synthetic data; shared by every run point so
    /// they see the same data.
    public var seed: UInt64
    /// CIFAR-100 label granularity.
    public var labels: LabelKind
    /// Control: replace labels by a seeded permutation on these splits.
    public var shuffleLabels: ShuffleTarget
    /// Fraction of labels permuted when shuffling.
    public var shuffleFraction: Double
    public var manifold: ManifoldSpec?
    public var clusters: ClustersSpec?
    /// The arrays of `dataset: arrays`; nil for every other dataset.
    public var arrays: ArraysSpec? = nil

    enum CodingKeys: String, CodingKey {
        case dataset, path, subset, scaling, seed, labels, manifold, clusters, arrays
        case trainSize = "train_size", testSize = "test_size"
        case shuffleLabels = "shuffle_labels", shuffleFraction = "shuffle_fraction"
    }

    /// Examples in the whole training and test splits, when known without loading anything.
    public var fullSplitSizes: (train: Int, test: Int)? {
        switch dataset {
        case .fashionMNIST: return (60000, 10000)
        case .cifar10, .cifar100: return (50000, 10000)
        case .manifold: return manifold.map { ($0.trainPoints, $0.testPoints) }
        case .clusters: return clusters.map { ($0.count * $0.trainPerCluster, $0.count * $0.testPerCluster) }
        case .arrays: return nil
        }
    }

    /// The number of classes, known without loading anything.
    public var classCount: Int? {
        switch dataset {
        case .fashionMNIST, .cifar10: return 10
        case .cifar100: return labels == .coarse ? 20 : 100
        case .manifold: return 2
        case .clusters: return clusters?.classCount
        // Written in the spec, or known only once the labels are read.
        case .arrays: return arrays?.classes
        }
    }

    /// Examples in the training and test splits in use, when known without loading anything.
    public var splitSizes: (train: Int, test: Int)? {
        let full: (Int, Int)?
        switch dataset {
        case .fashionMNIST: full = (60000, 10000)
        case .cifar10, .cifar100: full = (50000, 10000)
        case .manifold: full = manifold.map { ($0.trainPoints, $0.testPoints) }
        case .clusters: full = clusters.map { ($0.count * $0.trainPerCluster, $0.count * $0.testPerCluster) }
        case .arrays: full = nil
        }
        guard let (train, test) = full else { return nil }
        return splitSizes(full: (train, test))
    }

    /// Examples in the training and test splits in use, given the whole splits' sizes (for data
    /// whose size is known only by reading it, such as `arrays`).
    public func splitSizes(full: (train: Int, test: Int)) -> (train: Int, test: Int) {
        (trainSize.map { min($0, full.train) } ?? full.train, testSize.map { min($0, full.test) } ?? full.test)
    }
}
