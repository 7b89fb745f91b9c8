import Foundation
import Tensors

/// Everything that determines a prepared dataset: the source, the subsets, the label control
/// and the scaling. ``prepare()`` turns it into fingerprinted train and test arrays.
///
/// The steps run in a fixed order, each with its own seeded stream:
/// 1. load (or generate) both splits;
/// 2. subset the training split, then the test split, from `RandomStream(seed:, path: "data/subset")`;
/// 3. shuffle labels as ``shuffleLabels`` says (see ``LabelShuffle``);
/// 4. scale (see ``Preprocessing``), with statistics from the training split only;
/// 5. fingerprint the arrays with ``settings``.
public struct DataRecipe: Sendable, Hashable, Codable {
    /// Where the examples come from.
    public enum Source: Sendable, Hashable, Codable {
        /// Fashion-MNIST IDX files; nil means ``FashionMNIST/defaultDirectory``.
        case fashionMNIST(directory: String? = nil)
        /// CIFAR-10 binary batches; nil means ``CIFAR10/defaultDirectory``.
        case cifar10(directory: String? = nil)
        /// CIFAR-100 binary files with fine or coarse labels; nil means ``CIFAR100/defaultDirectory``.
        case cifar100(directory: String? = nil, labels: CIFAR100.LabelKind = .fine)
        /// A synthetic manifold (two classes by a random hyperplane), generated from the recipe's seed.
        case manifold(SyntheticManifold.Kind, ambientDimension: Int, noise: Double = 0, train: Int, test: Int)
        /// The clustered task (K classes), generated from its parameters' seed.
        case clusters(ClusteredTask.Parameters)
        /// A user's own arrays, with what ``ArrayFiles/inspect()`` read from them.
        case arrays(ArrayFiles, ArrayFiles.Summary)

        /// The canonical name with parameters, e.g. `cifar-100(fine)`; opens the settings string.
        public var name: String {
            switch self {
            case .fashionMNIST: return "fashion-mnist"
            case .cifar10: return "cifar-10"
            case .cifar100(_, let kind): return "cifar-100(\(kind.rawValue))"
            case .manifold(let kind, let D, let noise, let train, let test):
                return "synthetic(\(kind),ambient=\(D),noise=\(noise),train=\(train),test=\(test))"
            case .clusters(let p):
                var extra = ""
                if case .uniform(let side) = p.centers { extra += ",centers=uniform,side=\(side)" }
                if p.classes != 2 { extra += ",classes=\(p.classes)" }
                return "clusters(P=\(p.clusters),D=\(p.ambientDimension),cluster_std=\(p.clusterStd),center_std=\(p.centerStd),train_per_cluster=\(p.pointsPerCluster),test_per_cluster=\(p.testPointsPerCluster)\(extra),seed=\(p.seed))"
            case .arrays(let files, let summary):
                return "arrays(layout=\(files.layout.rawValue),classes=\(summary.classes))"
            }
        }

        /// The image layout of each row, nil for point sets; known before anything is loaded.
        public var imageShape: ImageShape? {
            switch self {
            case .fashionMNIST: return FashionMNIST.imageShape
            case .cifar10, .cifar100: return CIFARBinary.imageShape
            case .manifold, .clusters: return nil
            case .arrays(_, let summary): return summary.imageShape
            }
        }

        /// Values per row; known before anything is loaded.
        public var features: Int {
            switch self {
            case .fashionMNIST, .cifar10, .cifar100: return imageShape?.features ?? 0
            case .manifold(_, let D, _, _, _): return D
            case .clusters(let p): return p.ambientDimension
            case .arrays(_, let summary): return summary.features
            }
        }

        /// Number of classes; known before anything is loaded.
        public var classes: Int {
            switch self {
            case .fashionMNIST: return FashionMNIST.classCount
            case .cifar10: return CIFAR10.classCount
            case .cifar100(_, let kind): return kind.classCount
            case .manifold: return 2
            case .clusters(let p): return p.classes
            case .arrays(_, let summary): return summary.classes
            }
        }
    }

    public var source: Source
    /// Training examples to keep; nil keeps the whole split.
    public var trainSize: Int?
    /// Test examples to keep; nil keeps the whole split.
    public var testSize: Int?
    public var subset: Subset.Method
    public var scaling: Preprocessing.Scaling
    public var shuffleLabels: LabelShuffle.Target
    /// The fraction of labels shuffled in each shuffled split (1 = all).
    public var shuffleFraction: Double
    /// Seed of the subset and label-shuffle streams (and of a synthetic manifold).
    public var seed: UInt64

    public init(source: Source, trainSize: Int? = nil, testSize: Int? = nil, subset: Subset.Method = .first,
                scaling: Preprocessing.Scaling = .unit, shuffleLabels: LabelShuffle.Target = .none,
                shuffleFraction: Double = 1, seed: UInt64 = 0) {
        self.source = source
        self.trainSize = trainSize
        self.testSize = testSize
        self.subset = subset
        self.scaling = scaling
        self.shuffleLabels = shuffleLabels
        self.shuffleFraction = shuffleFraction
        self.seed = seed
    }

    /// The canonical settings string hashed into the fingerprint, e.g.
    /// `fashion-mnist|train=all|test=all|subset=first|scaling=unit|seed=0`; label shuffling adds
    /// `|shuffle_labels=<target>|shuffle_fraction=<f>`. Directories are left out: the bytes are
    /// hashed, so the same data in another place has the same fingerprint.
    public var settings: String {
        var text = "\(source.name)|train=\(trainSize.map(String.init) ?? "all")|test=\(testSize.map(String.init) ?? "all")|subset=\(subset.rawValue)|scaling=\(scaling.rawValue)|seed=\(seed)"
        if shuffleLabels != .none {
            text += "|shuffle_labels=\(shuffleLabels.rawValue)|shuffle_fraction=\(shuffleFraction)"
        }
        return text
    }
}
