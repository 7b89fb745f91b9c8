import ExperimentSpec

/// The outcome of testing one claim.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// The effect lies in the expected direction, its 95 % CI clears zero and `min_effect`, and the
    /// Holm-adjusted p is below alpha.
    case supported
    /// The 95 % CI excludes zero in the direction opposite to the claim, Holm-adjusted p below alpha.
    case contradicted
    /// The data were there but did not decide the claim (the reason says why).
    case inconclusive
    /// The data the claim needs were not produced (the reason says which).
    case notTestable = "not_testable"
}

/// What a verdict rests on: the cells, configurations and axis it read.
public struct ClaimBasis: Codable, Equatable, Sendable {
    /// Layers read, resolved (e.g. `h3` for `last_hidden`), in depth order where that matters.
    public var layers: [String] = []
    /// Epochs read, resolved.
    public var epochs: [Int] = []
    /// Optimizer steps read (cells that name a `probe.steps` step); nil (omitted) when none.
    public var steps: [Int]?
    /// The swept key compared (conditions) or correlated with (correlation).
    public var axis: String?
    /// The metric correlated with (correlation).
    public var metric: String?
    /// Labels of the configurations read.
    public var configurations: [String] = []
    /// Replicates used per configuration (the smallest, when they differ).
    public var replicates: Int = 0

    public init() {}
}

/// One row of `claims.json`.
public struct ClaimResult: Codable, Equatable, Sendable {
    public var id: String
    public var statement: String
    public var citation: String?
    public var estimator: String
    public var kind: ClaimKind
    /// The expected direction (`increase`, `decrease`, `none`) or shape (`interior_peak`, `decreasing_tail`).
    public var expected: String
    public var minEffect: Double?
    /// `none` claims: the equivalence margin, in ID units.
    public var margin: Double?
    /// The effect in its own units: an ID difference (cells, conditions, profile) or Spearman's ρ.
    public var effect: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    /// Units of evidence: replicates for paired kinds, configurations for correlations.
    public var n: Int
    public var p: Double?
    public var pHolm: Double?
    public var verdict: Verdict
    public var reason: String
    /// The test in words, e.g. "paired t across 5 replicates".
    public var method: String
    public var restsOn: ClaimBasis

    enum CodingKeys: String, CodingKey {
        case id, statement, citation, estimator, kind, expected, margin, effect, n, p, verdict, reason, method
        case minEffect = "min_effect", ciLow = "ci_low", ciHigh = "ci_high", pHolm = "p_holm", restsOn = "rests_on"
    }
}

/// Settings of an evaluation; the same settings and data give the same results, bit for bit.
public struct ClaimOptions: Codable, Equatable, Sendable {
    /// Family-wise error rate across one spec's claims (Holm).
    public var alpha: Double
    /// Confidence level of every interval.
    public var level: Double
    /// Bootstrap resamples for correlation intervals, and random permutations beyond 8 configurations.
    public var resamples: Int
    /// Root seed; each claim draws from its own stream derived from it and the claim's id.
    public var seed: UInt64

    public init(alpha: Double = 0.05, level: Double = 0.95, resamples: Int = 2000, seed: UInt64 = 0) {
        self.alpha = alpha
        self.level = level
        self.resamples = resamples
        self.seed = seed
    }
}

/// The contents of `claims.json`: the settings the verdicts were computed with, and the verdicts.
public struct ClaimsDocument: Codable, Equatable, Sendable {
    public var formatVersion: Int
    public var options: ClaimOptions
    /// How the intervals and tests were computed, in words, for a reader of the file alone.
    public var statistics: String
    public var claims: [ClaimResult]

    public static let currentFormatVersion = 1

    public init(options: ClaimOptions, claims: [ClaimResult]) {
        formatVersion = Self.currentFormatVersion
        self.options = options
        statistics = "effects with \(Int((options.level * 100).rounded())) % CIs across replicates (paired Student t; Spearman on configuration means with a bootstrap over replicates and a permutation p); p-values Holm-adjusted across the spec's claims at alpha \(options.alpha)"
        self.claims = claims
    }

    enum CodingKeys: String, CodingKey {
        case options, statistics, claims
        case formatVersion = "format_version"
    }
}
