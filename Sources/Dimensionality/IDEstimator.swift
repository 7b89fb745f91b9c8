import EstimatorVocabulary
import Tensors

/// An intrinsic-dimension estimator with its settings, runnable by name.
///
/// ```swift
/// let mle = try IDEstimator.named("mle", settings: ["k": "20", "average": "mean"])
/// let twonn = try IDEstimator.parse("twonn:discard_fraction=0.1,resamples=20")
/// let estimate = try twonn.estimate(activations, threads: 2)   // IDEstimate
/// ```
/// | name | estimator | settings (defaults) |
/// |---|---|---|
/// | `pr` | ``ParticipationRatio`` | — |
/// | `pca` | ``PCAVariance`` | `variance` 0.9, `standardize` false, `rule` variance \| fo, `alpha` 0.05 |
/// | `twonn` | ``TwoNN`` | `discard_fraction` 0.1, `method` linear \| mle \| mle_all |
/// | `mle` | ``LevinaBickel`` | `k` 20, `average` harmonic \| mean |
/// | `local_pca` | ``LocalPCA`` | `k` 100, `variance` 0.9, `rule` variance \| fo, `alpha` 0.05 |
/// | `corrdim` | ``CorrelationDimension`` | `k1` 10, `k2` 20 |
/// | `class_geometry` | ``ClassGeometry`` | — (needs labels) |
/// | `linear_probe` | ``LinearProbe`` | `folds` 5, `alpha` cv \| number, `shuffle` true, `seed` 0 (needs labels; no resampling) |
///
/// `class_geometry` and `linear_probe` are task-relevance measures in [0, 1], not intrinsic
/// dimensions: they read the class label of every point (``needsLabels``).
///
/// Every estimator also takes `resamples` (random subsets behind the error bar: 20 for `pr`,
/// `twonn` and `mle`, 0 otherwise), `resample_fraction` (0.9), `seed` (0) and `blocks` (false: the
/// block analysis of ``BlockEstimate``). Settings are plain strings so that any front end (YAML,
/// command line) can pass them through; unknown keys and bad values throw
/// ``EstimatorError/invalidSetting(estimator:message:)``.
public struct IDEstimator: Sendable, Equatable {
    /// The estimator and its own settings.
    public enum Method: Sendable, Equatable {
        case participationRatio
        case pca(PCAVariance.Settings)
        case twoNN(TwoNN.Settings)
        case mle(LevinaBickel.Settings)
        case localPCA(LocalPCA.Settings)
        case correlationDimension(CorrelationDimension.Settings)
        case classGeometry
        case linearProbe(LinearProbe.Settings)
    }

    /// How the error bar and the block analysis are made.
    public struct ErrorBars: Sendable, Equatable {
        /// Random subsets drawn without replacement; the error bar is the std of their estimates.
        public var resamples: Int
        /// The fraction of the points in each subset.
        public var fraction: Double
        /// The seed of the subsets and blocks (a ``RandomStream`` root seed).
        public var seed: UInt64
        /// Whether to run the block analysis (ID against sample size N, N/2, N/4, …).
        public var blocks: Bool

        public init(resamples: Int = 0, fraction: Double = 0.9, seed: UInt64 = 0, blocks: Bool = false) {
            self.resamples = resamples
            self.fraction = fraction
            self.seed = seed
            self.blocks = blocks
        }
    }

    public var method: Method
    public var errorBars: ErrorBars

    public init(_ method: Method, errorBars: ErrorBars? = nil) {
        self.method = method
        self.errorBars = errorBars ?? ErrorBars(resamples: IDEstimator.defaultResamples(method))
    }

    /// Every estimator name, in the order of the table above.
    public static let names = EstimatorCatalog.names
    /// The names of the task-relevance measures: values in [0, 1] computed from the points and
    /// their class labels, reported beside the intrinsic dimensions.
    public static let taskRelevanceNames = ["class_geometry", "linear_probe"]
    /// The estimators run when none is named.
    public static let defaultNames = ["pr", "twonn", "mle"]

    /// The resamples an estimator makes unless told otherwise (none for `linear_probe`).
    static func defaultResamples(_ method: Method) -> Int {
        EstimatorCatalog.entry(name(of: method))?.resamples?.defaultValue ?? 0
    }

    /// The registry name.
    public var name: String { Self.name(of: method) }

    static func name(of method: Method) -> String {
        switch method {
        case .participationRatio: return ParticipationRatio.name
        case .pca: return PCAVariance.name
        case .twoNN: return TwoNN.name
        case .mle: return LevinaBickel.name
        case .localPCA: return LocalPCA.name
        case .correlationDimension: return CorrelationDimension.name
        case .classGeometry: return ClassGeometry.name
        case .linearProbe: return LinearProbe.name
        }
    }

    /// The flavour and settings in words.
    public var flavour: String {
        switch method {
        case .participationRatio: return "participation ratio (Σλ)²/Σλ² of the covariance spectrum, Float64"
        case .pca(let s): return s.flavour
        case .twoNN(let s): return s.flavour
        case .mle(let s): return s.flavour
        case .localPCA(let s): return s.flavour
        case .correlationDimension(let s): return s.flavour
        case .classGeometry: return ClassGeometry.flavour
        case .linearProbe(let s): return s.flavour
        }
    }

    /// Neighbours per point read from a k-nearest-neighbour graph (nil: the estimator needs none).
    var neighbours: Int? {
        switch method {
        case .participationRatio, .pca, .classGeometry, .linearProbe: return nil
        case .twoNN: return 2
        case .mle(let s): return s.k
        case .localPCA(let s): return s.k
        case .correlationDimension(let s): return s.k2
        }
    }

    /// The fewest points on which the estimator is defined.
    public var minimumPoints: Int {
        // Every training fold must still split into `folds` inner folds.
        if case .linearProbe(let s) = method { return s.folds.multipliedReportingOverflow(by: 2).overflow ? Int.max : 2 * s.folds }
        // Saturating: k comes from the user and may be as large as Int.max.
        let (n, overflow) = (neighbours ?? 1).addingReportingOverflow(1)
        return overflow ? Int.max : n
    }

    /// Whether the estimator reads each point's class label (the task-relevance measures).
    public var needsLabels: Bool {
        switch method {
        case .classGeometry, .linearProbe: return true
        default: return false
        }
    }

    /// Whether the estimator reads the coordinates beyond the neighbour graph.
    var readsPoints: Bool {
        switch method {
        case .twoNN, .mle: return false
        default: return true
        }
    }
}
