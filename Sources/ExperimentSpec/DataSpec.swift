import Yams

public enum DatasetName: String, Codable, Sendable, NodeEnum {
    case fashionMNIST = "fashion-mnist"
    case cifar10, cifar100
    /// A synthetic point set of known intrinsic dimension (`data.manifold`).
    case manifold
    /// Gaussian clusters assigned to two classes (`data.clusters`).
    case clusters
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

/// Many isotropic Gaussian clusters in a high-dimensional space, each randomly assigned to one of
/// two classes (Farrell, Recanatesi et al. 2019).
public struct ClustersSpec: Codable, Hashable, Sendable {
    public var ambient: Int
    public var count: Int
    public var std: Double
    public var trainPerCluster: Int
    public var testPerCluster: Int

    enum CodingKeys: String, CodingKey {
        case ambient, count, std
        case trainPerCluster = "train_per_cluster", testPerCluster = "test_per_cluster"
    }
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

    enum CodingKeys: String, CodingKey {
        case dataset, path, subset, scaling, seed, labels, manifold, clusters
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
        }
        guard let (train, test) = full else { return nil }
        return (trainSize.map { min($0, train) } ?? train, testSize.map { min($0, test) } ?? test)
    }
}
