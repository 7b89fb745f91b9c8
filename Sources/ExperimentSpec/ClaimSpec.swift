/// A hypothesis declared in the spec before the run: one estimator, one comparison, an expected
/// direction. The `claims` stage turns it into a verdict from the aggregate alone.
///
/// Which optional fields a claim carries depends on its ``kind``:
///
/// | kind | fields |
/// |---|---|
/// | `cells` | `cell`, `baseline`, `direction` (and `margin` when it is `none`) |
/// | `profile` | `epoch` or `step`, `shape`, `tail` (for `decreasing_tail`), `layers` (optional) |
/// | `correlation` | `cell`, `against`, `direction` |
/// | `conditions` | `cell`, `axis`, `treatment`, `control`, `direction` |
///
/// Every kind accepts `where` (swept key → value) to restrict the configurations it reads.
/// Layers and epochs stay symbolic (`last_hidden`, `last`) so a claim means the same thing in
/// every configuration of a depth or epoch sweep; ``LayerRef/resolve(in:)`` resolves them.
public struct ClaimSpec: Codable, Equatable, Sendable {
    /// Unique within the spec; names the claim in `claims.json` and the report.
    public var id: String
    /// The hypothesis in words, as a reader should see it.
    public var statement: String
    public var citation: String?
    /// The one primary estimator (e.g. `twonn`); must be configured in `estimators`.
    public var estimator: String
    public var kind: ClaimKind
    /// Expected sign of the effect (cells, correlation, conditions).
    public var direction: ClaimDirection?
    /// Expected profile shape (profile).
    public var shape: ProfileShape?
    /// Smallest effect, in the effect's units (ID, or ρ for correlations), that counts as support.
    public var minEffect: Double?
    /// `direction: none`: the largest effect, in ID units, that still counts as no change.
    public var margin: Double?
    /// The cell measured (cells, correlation, conditions).
    public var cell: CellRef?
    /// What the cell is compared with (cells).
    public var baseline: CellRef?
    /// The epoch whose layer profile is read (profile); nil when ``step`` names a step instead.
    public var epoch: EpochRef?
    /// The probed optimizer step whose layer profile is read (profile), instead of an epoch.
    public var step: Int?
    /// The layers forming the profile, in depth order (profile); nil: every probed layer.
    public var layers: [String]?
    /// How many final layers of the profile must decrease step by step (`decreasing_tail`).
    public var tail: Int?
    /// A per-point metric (``ClaimSpec/metrics``) or a swept key path (correlation).
    public var against: String?
    /// The swept key path whose two values are compared (conditions), or several keys compared
    /// together (`[train.batch_size, train.lr]`), with one value each in `treatment` and `control`.
    public var axis: OneOrMore?
    public var treatment: OneOrMore?
    public var control: OneOrMore?
    /// Swept key path → value: only configurations that match every entry are read.
    public var filter: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, statement, citation, estimator, kind, direction, shape, cell, baseline, epoch, step, layers, tail
        case against, axis, treatment, control
        case margin
        case minEffect = "min_effect", filter = "where"
    }

    /// Metrics a correlation claim may name in `against`; `generalization_gap` is
    /// train accuracy − test accuracy at the claim's epoch; `noise_scale` is `grad_noise_trace`
    /// (tr Σ_B) and `noise_temperature` is η · tr Σ_B.
    public static let metrics = ["test_accuracy", "train_accuracy", "test_loss", "train_loss", "generalization_gap", "noise_scale",
                                 "noise_temperature"]

    public init(id: String, statement: String, citation: String? = nil, estimator: String, kind: ClaimKind,
                direction: ClaimDirection? = nil, shape: ProfileShape? = nil, minEffect: Double? = nil,
                cell: CellRef? = nil, baseline: CellRef? = nil, epoch: EpochRef? = nil, layers: [String]? = nil,
                tail: Int? = nil, against: String? = nil, axis: OneOrMore? = nil, treatment: OneOrMore? = nil,
                control: OneOrMore? = nil, filter: [String: String] = [:], step: Int? = nil) {
        self.step = step
        self.id = id
        self.statement = statement
        self.citation = citation
        self.estimator = estimator
        self.kind = kind
        self.direction = direction
        self.shape = shape
        self.minEffect = minEffect
        self.cell = cell
        self.baseline = baseline
        self.epoch = epoch
        self.layers = layers
        self.tail = tail
        self.against = against
        self.axis = axis
        self.treatment = treatment
        self.control = control
        self.filter = filter
    }
}

/// One string or a list of them: a conditions claim's axis and its two values. One value is
/// written (and encoded) as a plain string, so a single-key claim reads as it always did.
public struct OneOrMore: Codable, Equatable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }
    public init(stringLiteral value: String) { values = [value] }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) { values = [one] } else { values = try c.decode([String].self) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if values.count == 1 { try c.encode(values[0]) } else { try c.encode(values) }
    }

    /// `a`, or `(a, b)` for several.
    public var description: String { values.count == 1 ? values[0] : "(" + values.joined(separator: ", ") + ")" }
}

/// The comparison a claim makes.
public enum ClaimKind: String, Codable, Sendable, CaseIterable, NodeEnum {
    /// One cell (layer @ epoch) against another, paired by replicate.
    case cells
    /// The shape of the ID-versus-depth profile at one epoch.
    case profile
    /// Spearman rank correlation across configurations of a cell's ID with a metric or swept key.
    case correlation
    /// The same cell under two values of a swept key, paired by replicate.
    case conditions
}

/// The expected sign of an effect, or none: the effect lies within ±`margin` (an equivalence claim).
public enum ClaimDirection: String, Codable, Sendable, CaseIterable, NodeEnum {
    case increase, decrease
    /// No change beyond ±`margin` (cells and conditions claims only).
    case unchanged = "none"
}

/// The expected shape of a layer profile.
public enum ProfileShape: String, Codable, Sendable, CaseIterable, NodeEnum {
    /// Some interior layer has a higher ID than both the first and the last layer (a "hunchback").
    case interiorPeak = "interior_peak"
    /// ID decreases at every step over the last `tail` layers.
    case decreasingTail = "decreasing_tail"
}

/// A layer at an epoch, or at a probed optimizer step (`probe.steps`): exactly one of ``epoch``
/// and ``step`` is set.
public struct CellRef: Codable, Equatable, Sendable {
    /// A layer name (`h2`) or `last_hidden`.
    public var layer: String
    public var epoch: EpochRef?
    /// A global optimizer step listed in `probe.steps`.
    public var step: Int?

    public init(layer: String, epoch: EpochRef) {
        self.layer = layer
        self.epoch = epoch
    }

    public init(layer: String, step: Int) {
        self.layer = layer
        self.step = step
    }
}

/// An epoch number, or the last epoch of training.
public enum EpochRef: Codable, Equatable, Sendable, CustomStringConvertible {
    case number(Int)
    case last

    /// The epoch this names in a run of `epochs` epochs.
    public func resolve(lastEpoch epochs: Int) -> Int {
        switch self {
        case .number(let n): return n
        case .last: return epochs
        }
    }

    public var description: String {
        switch self {
        case .number(let n): return String(n)
        case .last: return "last"
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n); return }
        let s = try c.decode(String.self)
        guard s == "last" else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an epoch is an integer or 'last', found '\(s)'")
        }
        self = .last
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .last: try c.encode("last")
        }
    }
}

/// Resolves the symbolic layer `last_hidden`.
public enum LayerRef {
    /// The symbolic name of the layer just before the output.
    public static let lastHidden = "last_hidden"

    /// The layer `name` denotes in a model whose probe points are `layerNames` (depth order),
    /// or nil when it has no such layer.
    public static func resolve(_ name: String, in layerNames: [String]) -> String? {
        if name == lastHidden { return layerNames.count >= 3 ? layerNames[layerNames.count - 2] : nil }
        return layerNames.contains(name) ? name : nil
    }
}
