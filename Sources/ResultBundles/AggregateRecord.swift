import Dimensionality
import Foundation

/// An input a tolerant stage (aggregate, claims, report) ran without, and why.
public struct MissingInput: Codable, Sendable, Equatable {
    public var key: String
    public var name: String
    /// `failed`, or `skipped` when an input of its own failed.
    public var status: StageStatus
    public var reason: String
    /// The run points the input served, where known (filled in by the aggregate).
    public var points: [Int]?

    public init(key: String, name: String, status: StageStatus, reason: String, points: [Int]? = nil) {
        self.key = key
        self.name = name
        self.status = status
        self.reason = reason
        self.points = points
    }
}

/// `aggregate.json`: everything a run measured, in one typed file that the claims and report
/// stages read (the CSV tables beside it are renderings of the same data).
public struct AggregateRecord: JSONBundleFile, Sendable, Equatable {
    public static let fileName = "aggregate.json"

    /// One run point: its swept values and where it sits among configurations and replicates.
    public struct Point: Codable, Sendable, Equatable {
        public var index: Int
        public var label: String
        /// Swept values in the order of ``AggregateRecord/sweptPaths``.
        public var values: [String]
        /// Index of the point's configuration (the point without its replicate seed).
        public var configuration: Int
        /// 0-based replicate within the configuration.
        public var replicate: Int
        /// Values of ``AggregateRecord/settingsPaths`` (nil in aggregates that predate them).
        public var settings: [String]?
        /// True for a point whose activations were imported, not trained here (no metrics; its
        /// last layer is the network's output); nil otherwise.
        public var imported: Bool?

        public init(index: Int, label: String, values: [String], configuration: Int, replicate: Int, settings: [String]? = nil,
                    imported: Bool? = nil) {
            self.settings = settings
            self.imported = imported
            self.index = index
            self.label = label
            self.values = values
            self.configuration = configuration
            self.replicate = replicate
        }
    }

    /// One run point's per-epoch metrics.
    public struct PointMetrics: Codable, Sendable, Equatable {
        public var point: Int
        public var epochs: [EpochMetrics]

        public init(point: Int, epochs: [EpochMetrics]) {
            self.point = point
            self.epochs = epochs
        }
    }

    public var sweptPaths: [String]
    /// Settings spelled out on every row of `results.csv` besides the swept keys, by spec path.
    public var settingsPaths: [String]?
    public var points: [Point]
    /// One row per point × epoch × layer × estimator that was estimated.
    public var rows: [ResultRow]
    public var metrics: [PointMetrics]
    /// Data stage name → fingerprint of the data it prepared.
    public var datasets: [String: String]
    /// Inputs that did not complete; their rows and metrics are absent.
    public var missing: [MissingInput]
    /// With `per_class` estimators: one row per class of each such estimate (``ResultRow/classLabel``
    /// set). Kept apart from ``rows``, which the summaries, claims and figures read, so that
    /// per-class values never mix with whole-probe-set ones; nil (and absent from the file)
    /// when no estimator asked for them.
    public var classRows: [ResultRow]?

    public init(sweptPaths: [String], settingsPaths: [String]? = nil, points: [Point], rows: [ResultRow],
                metrics: [PointMetrics], datasets: [String: String], missing: [MissingInput], classRows: [ResultRow]? = nil) {
        self.classRows = classRows
        self.settingsPaths = settingsPaths
        self.sweptPaths = sweptPaths
        self.points = points
        self.rows = rows
        self.metrics = metrics
        self.datasets = datasets
        self.missing = missing
    }

    enum CodingKeys: String, CodingKey {
        case points, rows, metrics, datasets, missing
        case classRows = "class_rows"
        case sweptPaths = "swept_paths", settingsPaths = "settings_paths"
    }

    /// `results.csv` of this aggregate: each row names its point's configuration, replicate,
    /// swept values and settings.
    public var resultsCSV: String {
        // Settings already present as swept columns are not repeated.
        let settings = (settingsPaths ?? []).enumerated().filter { !sweptPaths.contains($0.element) }
        let context = Dictionary(uniqueKeysWithValues: points.map { p in
            (p.index, [String(p.configuration), String(p.replicate)] + p.values
                + settings.map { i, _ in (p.settings ?? []).indices.contains(i) ? p.settings![i] : "" })
        })
        return ResultsCSV.render(Self.interleaving(rows, classRows ?? []), columns: ["configuration", "replicate"] + sweptPaths + settings.map(\.element), values: context)
    }

    /// `rows` with each estimate's per-class rows right after it, by ascending class.
    static func interleaving(_ rows: [ResultRow], _ classRows: [ResultRow]) -> [ResultRow] {
        guard !classRows.isEmpty else { return rows }
        func cell(_ r: ResultRow) -> String { "\(r.point)|\(r.epoch)|\(r.step ?? -1)|\(r.layer)|\(r.estimator)" }
        var byCell: [String: [ResultRow]] = [:]
        for r in classRows { byCell[cell(r), default: []].append(r) }
        var out: [ResultRow] = []
        out.reserveCapacity(rows.count + classRows.count)
        for r in rows {
            out.append(r)
            out += (byCell[cell(r)] ?? []).sorted { ($0.classLabel ?? -1) < ($1.classLabel ?? -1) }
        }
        return out
    }

    /// The columns of `metrics.csv` after the point's identity and swept values.
    public static let metricColumns = [
        "epoch", "steps", "train_loss", "train_accuracy", "train_loss_eval", "train_accuracy_eval", "test_loss", "test_accuracy",
        "learning_rate", "grad_noise_trace", "noise_temperature", "target_reached", "seconds",
    ]

    /// `blocks.csv`: one row per estimate × block size of every block analysis (nil when no
    /// estimator ran one): the mean and standard deviation of the estimate over disjoint random
    /// blocks of `block_size` probe points (`step` as in `results.csv`: empty for epoch probes).
    public var blocksCSV: String? {
        guard rows.contains(where: { !($0.blocks ?? []).isEmpty }) else { return nil }
        let byIndex = Dictionary(uniqueKeysWithValues: points.map { ($0.index, $0) })
        var lines = ["point,label,configuration,replicate,epoch,step,layer,layer_index,estimator,block_size,blocks,failed,mean,std"]
        for r in rows {
            for b in r.blocks ?? [] {
                let p = byIndex[r.point]
                let configuration = p.map { String($0.configuration) } ?? ""
                let replicate = p.map { String($0.replicate) } ?? ""
                let step = r.step.map(String.init) ?? ""
                var fields = [String(r.point), ResultsCSV.quote(r.label), configuration, replicate, String(r.epoch), step]
                fields += [ResultsCSV.quote(r.layer), String(r.layerIndex), r.estimator]
                fields += [String(b.size), String(b.blocks), String(b.failed), String(b.mean), String(b.std)]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `metrics.csv`: one row per run point and epoch, every swept key spelled out. Empty cells are
    /// figures not recorded (running averages at epoch 0, noise with `noise_batches: 0`, and the
    /// columns bundles of older versions did not write).
    public var metricsCSV: String {
        let byIndex = Dictionary(uniqueKeysWithValues: points.map { ($0.index, $0) })
        var lines = [(["point", "label", "configuration", "replicate"] + sweptPaths + Self.metricColumns).joined(separator: ",")]
        func cell(_ v: Double?) -> String { v.map { String($0) } ?? "" }
        for m in metrics {
            guard let p = byIndex[m.point] else { continue }
            for e in m.epochs {
                var fields = [String(p.index), ResultsCSV.quote(p.label), String(p.configuration), String(p.replicate)]
                fields += p.values.map(ResultsCSV.quote)
                fields += [String(e.epoch), e.steps.map(String.init) ?? "", cell(e.trainLoss), cell(e.trainAccuracy),
                           cell(e.trainLossEval), cell(e.trainAccuracyEval), String(e.testLoss), String(e.testAccuracy),
                           cell(e.learningRate), cell(e.gradientNoise), cell(e.noiseTemperature),
                           e.targetReached.map { String($0) } ?? "", String(format: "%.6f", e.seconds)]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
