/// The outcome of one intrinsic-dimension estimator on one point set.
///
/// `value` is always finite: an input on which the estimator is undefined throws
/// ``EstimatorError`` instead.
public struct IDEstimate: Sendable, Equatable, Codable {
    /// The estimator's registry name (`pr`, `pca`, `twonn`, `mle`, `local_pca`, `corrdim`).
    public var estimator: String
    /// The estimate on all points.
    public var value: Double
    /// The standard deviation of the estimate over random subsets, when resampling was asked for.
    public var errorBar: Double?
    /// The mean of the estimate over random subsets, when resampling was asked for.
    public var resampleMean: Double?
    /// How many random subsets stand behind `errorBar` (0 = no resampling).
    public var resamples: Int
    /// The number of points given.
    public var points: Int
    /// The number of points that entered the estimate (after dropping duplicates and ties).
    public var used: Int
    /// Points dropped because their nearest neighbour is at distance 0 (exact duplicates).
    public var duplicates: Int
    /// Points dropped because of tied neighbour distances (e.g. r₁ = r₂ for TwoNN).
    public var ties: Int
    /// The flavour and its settings in words, e.g. which mean or which fit.
    public var flavour: String
    /// Every setting, defaults filled in, as `key → value` text.
    public var settings: [String: String]
    /// Wall-clock seconds for the whole estimate, resampling and block analysis included.
    public var seconds: Double
    /// ID against sample size, when the block analysis was asked for (largest size first).
    public var blocks: [BlockEstimate]

    enum CodingKeys: String, CodingKey {
        case estimator, value, errorBar = "error_bar", resampleMean = "resample_mean", resamples
        case points, used, duplicates, ties, flavour, settings, seconds, blocks
    }

    public init(estimator: String, value: Double, errorBar: Double? = nil, resampleMean: Double? = nil,
                resamples: Int = 0, points: Int, used: Int, duplicates: Int = 0, ties: Int = 0,
                flavour: String, settings: [String: String], seconds: Double, blocks: [BlockEstimate] = []) {
        self.estimator = estimator
        self.value = value
        self.errorBar = errorBar
        self.resampleMean = resampleMean
        self.resamples = resamples
        self.points = points
        self.used = used
        self.duplicates = duplicates
        self.ties = ties
        self.flavour = flavour
        self.settings = settings
        self.seconds = seconds
        self.blocks = blocks
    }
}

/// One level of the block analysis: the data split into disjoint random blocks of one size.
///
/// ```
/// level j: ⌊N / 2ʲ⌋ points per block, 2ʲ blocks;  mean ± std of the block estimates
/// ```
/// Plotting `mean` against `size` shows how the estimate depends on sample size, and so on the
/// neighbourhood scale (fewer points → larger neighbour distances). Facco et al. 2017 (Fig. 3);
/// Ansuini et al., NeurIPS 2019; dadapy `return_id_scaling_2NN`.
public struct BlockEstimate: Sendable, Equatable, Codable {
    /// Points per block.
    public var size: Int
    /// Blocks that gave an estimate.
    public var blocks: Int
    /// Blocks on which the estimator was undefined (e.g. only duplicates).
    public var failed: Int
    /// Mean of the block estimates.
    public var mean: Double
    /// Sample standard deviation of the block estimates (0 for a single block).
    public var std: Double

    public init(size: Int, blocks: Int, failed: Int, mean: Double, std: Double) {
        self.size = size
        self.blocks = blocks
        self.failed = failed
        self.mean = mean
        self.std = std
    }
}

/// Mean and sample standard deviation (N − 1; 0 for fewer than two values).
func meanAndStd(_ values: [Double]) -> (mean: Double, std: Double) {
    guard !values.isEmpty else { return (0, 0) }
    let m = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (m, 0) }
    let v = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
    return (m, v.squareRoot())
}
