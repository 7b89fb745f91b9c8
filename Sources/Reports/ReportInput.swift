/// Everything a report shows, as plain data.
///
/// The pipeline fills this from a result bundle (`results.csv`, `metrics.jsonl`, `resolved.json`,
/// `provenance.json`, the stage failures); the report code never reads files itself. Every field is
/// `Codable` with `snake_case` keys, so a bundle's report input can also be saved as JSON and
/// re-rendered later.
///
/// Missing numbers are `nil`, never NaN: an estimate that failed, a point that has no test accuracy
/// yet. Non-finite numbers that slip in anyway are treated as missing by every renderer.
public struct ReportInput: Codable, Sendable, Equatable {
    /// The experiment's name (the YAML file's `name`).
    public var name: String
    /// The experiment's free-text description; may be empty.
    public var description: String
    /// One entry per run point of the sweep, in sweep order.
    public var points: [Point]
    /// The tidy estimate rows: one per point × epoch (or step) × layer × estimator.
    public var estimates: [Estimate]
    /// Per-epoch training metrics, one row per point × epoch.
    public var metrics: [EpochMetrics]
    /// The fully resolved spec as JSON text (`resolved.json`), shown verbatim; `nil` if unknown.
    public var resolvedSpec: String?
    /// Provenance key/value pairs in display order (tool version, git commit, BLAS, seeds, …).
    public var provenance: [ProvenanceEntry]
    /// Stages that failed; shown prominently at the top of the report.
    public var failures: [Failure]
    /// The spec's declared claims with their verdicts; shown first.
    public var claims: [Claim]
    /// Statistics across training replicates, one row per configuration × epoch (or step) ×
    /// layer × estimator (the rows of `summary.csv`); empty when the input predates replicates, and then
    /// every point is a configuration of its own with n = 1.
    public var summaries: [Summary]

    public init(name: String, description: String = "", points: [Point], estimates: [Estimate],
                metrics: [EpochMetrics] = [], resolvedSpec: String? = nil,
                provenance: [ProvenanceEntry] = [], failures: [Failure] = [], claims: [Claim] = [],
                summaries: [Summary] = []) {
        self.claims = claims
        self.summaries = summaries
        self.name = name
        self.description = description
        self.points = points
        self.estimates = estimates
        self.metrics = metrics
        self.resolvedSpec = resolvedSpec
        self.provenance = provenance
        self.failures = failures
    }

    enum CodingKeys: String, CodingKey {
        case name, description, points, estimates, metrics, provenance, failures, claims, summaries
        case resolvedSpec = "resolved_spec"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decode(String.self, forKey: .description)
        points = try c.decode([Point].self, forKey: .points)
        estimates = try c.decode([Estimate].self, forKey: .estimates)
        metrics = try c.decode([EpochMetrics].self, forKey: .metrics)
        resolvedSpec = try c.decodeIfPresent(String.self, forKey: .resolvedSpec)
        provenance = try c.decode([ProvenanceEntry].self, forKey: .provenance)
        failures = try c.decode([Failure].self, forKey: .failures)
        claims = try c.decodeIfPresent([Claim].self, forKey: .claims) ?? []
        summaries = try c.decodeIfPresent([Summary].self, forKey: .summaries) ?? []
    }
}

extension ReportInput {
    /// One run point: a single assignment of the swept parameters.
    public struct Point: Codable, Sendable, Equatable {
        /// The point's index in the sweep (the `point` column of `results.csv`).
        public var index: Int
        /// A short human label, e.g. `width=128,seed=1`.
        public var label: String
        /// The swept parameters' values for this point, keyed by spec path (`"model.width": "128"`).
        public var assignments: [String: String]
        /// Test accuracy after the last epoch; when `nil`, the last metrics row's test accuracy is used.
        public var testAccuracy: Double?
        /// The SGD noise scale per epoch, when the training stage recorded it.
        public var noiseScale: [EpochValue]
        /// Which quantity ``noiseScale`` holds.
        public var noiseMeasure: NoiseMeasure?
        /// The point's configuration (the point without its replicate seed); nil: its own.
        public var configuration: Int?
        /// The configuration's label without the replicate seed, e.g. `width=128`.
        public var configurationLabel: String?
        /// Activations imported from elsewhere: the last layer listed is the network's output,
        /// whatever its name, so the last hidden layer is the one before it. Nil: trained here.
        public var imported: Bool?

        public init(index: Int, label: String, assignments: [String: String] = [:],
                    testAccuracy: Double? = nil, noiseScale: [EpochValue] = [], noiseMeasure: NoiseMeasure? = nil,
                    configuration: Int? = nil, configurationLabel: String? = nil, imported: Bool? = nil) {
            self.imported = imported
            self.configuration = configuration
            self.configurationLabel = configurationLabel
            self.index = index
            self.label = label
            self.assignments = assignments
            self.testAccuracy = testAccuracy
            self.noiseScale = noiseScale
            self.noiseMeasure = noiseMeasure
        }

        enum CodingKeys: String, CodingKey {
            case index, label, assignments
            case testAccuracy = "test_accuracy"
            case noiseScale = "noise_scale", noiseMeasure = "noise_measure"
            case configuration
            case configurationLabel = "configuration_label"
            case imported
        }
    }

    /// What a point's noise scale is.
    public enum NoiseMeasure: String, Codable, Sendable {
        /// η·tr Σ_B, the noise temperature (`noise_temperature` in metrics.csv).
        case temperature
        /// tr Σ_B alone (`grad_noise_trace`; bundles that predate the temperature).
        case trace
    }

    /// One configuration × epoch (or step) × layer × estimator across training replicates: n,
    /// mean and, for n ≥ 2, the sample standard deviation and a Student-t confidence interval.
    public struct Summary: Codable, Sendable, Equatable {
        public var configuration: Int
        /// The probed epoch; for a step probe, the epoch in progress.
        public var epoch: Int
        /// A step probe's global optimizer step; nil (omitted) for an epoch probe.
        public var step: Int?
        public var layer: String
        public var layerIndex: Int
        public var estimator: String
        public var n: Int
        public var mean: Double
        public var sd: Double?
        public var ciLow: Double?
        public var ciHigh: Double?
        /// The interval's confidence level, e.g. 0.95.
        public var level: Double

        public init(configuration: Int, epoch: Int, layer: String, layerIndex: Int, estimator: String, n: Int,
                    mean: Double, sd: Double? = nil, ciLow: Double? = nil, ciHigh: Double? = nil, level: Double = 0.95,
                    step: Int? = nil) {
            self.configuration = configuration
            self.epoch = epoch
            self.step = step
            self.layer = layer
            self.layerIndex = layerIndex
            self.estimator = estimator
            self.n = n
            self.mean = mean
            self.sd = sd
            self.ciLow = ciLow
            self.ciHigh = ciHigh
            self.level = level
        }

        enum CodingKeys: String, CodingKey {
            case configuration, epoch, step, layer, estimator, n, mean, sd, level
            case layerIndex = "layer_index", ciLow = "ci_low", ciHigh = "ci_high"
        }
    }

    /// A number recorded at one epoch.
    public struct EpochValue: Codable, Sendable, Equatable {
        public var epoch: Int
        public var value: Double

        public init(epoch: Int, value: Double) {
            self.epoch = epoch
            self.value = value
        }
    }

    /// One intrinsic-dimension estimate: a row of `results.csv`.
    public struct Estimate: Codable, Sendable, Equatable {
        /// The run point's index.
        public var point: Int
        /// The epoch of the probed checkpoint (0 = at initialisation).
        public var epoch: Int
        /// The layer's name, used as the x tick label.
        public var layer: String
        /// The layer's position in the network, from 0 at the input.
        public var layerIndex: Int
        /// The estimator's name, including its flavour (`pr`, `twonn`, `mle`, …).
        public var estimator: String
        /// The estimate; `nil` when the estimator produced no value for this layer.
        public var value: Double?
        /// Half-width of the error bar (drawn as value ± error), when the estimator gives one.
        public var error: Double?
        /// A step probe's global optimizer step (``epoch`` is then the epoch in progress); nil for
        /// an epoch probe. Step rows appear only in the figure by step.
        public var step: Int?
        /// The block analysis (the estimate on N, N/2, N/4, … points), when it was asked for.
        public var blocks: [Block]?

        public init(point: Int, epoch: Int, layer: String, layerIndex: Int, estimator: String,
                    value: Double?, error: Double? = nil, step: Int? = nil, blocks: [Block]? = nil) {
            self.step = step
            self.blocks = blocks
            self.point = point
            self.epoch = epoch
            self.layer = layer
            self.layerIndex = layerIndex
            self.estimator = estimator
            self.value = value
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case point, epoch, layer, estimator, value, error, step, blocks
            case layerIndex = "layer_index"
        }
    }

    /// One level of a block analysis: the mean and spread of the estimate over disjoint random
    /// blocks of `size` points.
    public struct Block: Codable, Sendable, Equatable {
        public var size: Int
        public var mean: Double
        /// Sample standard deviation across the blocks (0 for one block).
        public var std: Double

        public init(size: Int, mean: Double, std: Double) {
            self.size = size
            self.mean = mean
            self.std = std
        }
    }

    /// Loss and accuracy of one run point after one epoch.
    public struct EpochMetrics: Codable, Sendable, Equatable {
        public var point: Int
        public var epoch: Int
        public var trainLoss: Double?
        public var trainAccuracy: Double?
        public var testLoss: Double?
        public var testAccuracy: Double?

        public init(point: Int, epoch: Int, trainLoss: Double? = nil, trainAccuracy: Double? = nil,
                    testLoss: Double? = nil, testAccuracy: Double? = nil) {
            self.point = point
            self.epoch = epoch
            self.trainLoss = trainLoss
            self.trainAccuracy = trainAccuracy
            self.testLoss = testLoss
            self.testAccuracy = testAccuracy
        }

        enum CodingKeys: String, CodingKey {
            case point, epoch
            case trainLoss = "train_loss"
            case trainAccuracy = "train_accuracy"
            case testLoss = "test_loss"
            case testAccuracy = "test_accuracy"
        }
    }

    /// One provenance fact, e.g. `git commit` → `25a6056 (dirty)`.
    public struct ProvenanceEntry: Codable, Sendable, Equatable {
        public var key: String
        public var value: String

        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// A stage that failed, e.g. `train[width=512,seed=1]` — `diverged at epoch 3 step 412: loss is nan`.
    public struct Failure: Codable, Sendable, Equatable {
        /// The stage's name as the pipeline prints it.
        public var stage: String
        /// Why it failed, in the pipeline's words.
        public var reason: String
        /// The run point the stage belonged to, if any; marks that point as failed in tables.
        public var point: Int?

        public init(stage: String, reason: String, point: Int? = nil) {
            self.stage = stage
            self.reason = reason
            self.point = point
        }
    }
}
