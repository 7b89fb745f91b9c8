import Dimensionality
import ExperimentSpec
import Foundation

/// `resolved.json`: every run point, fully resolved, with its swept values.
public struct ResolvedSpec: JSONBundleFile, Sendable, Equatable {
    public static let fileName = "resolved.json"
    public struct Point: Codable, Sendable, Equatable {
        public var index: Int
        public var label: String
        public var assignments: [String: String]
        public var experiment: Experiment
    }
    public var formatVersion: Int
    public var file: String
    public var overrides: [String]
    public var sweptPaths: [String]
    public var points: [Point]
    /// Where relative data paths were taken from: the spec's directory, and the current
    /// directory for those in overrides (absent in bundles written before `data.arrays`).
    public var specDirectory: String?
    public var workingDirectory: String?

    enum CodingKeys: String, CodingKey {
        case file, overrides, points
        case formatVersion = "format_version", sweptPaths = "swept_paths"
        case specDirectory = "spec_directory", workingDirectory = "working_directory"
    }

    public init(_ spec: LoadedSpec) {
        formatVersion = BundleLayout.formatVersion
        file = spec.file
        overrides = spec.overrides
        sweptPaths = spec.sweptPaths
        // Only a spec that reads files named by relative paths needs them (and no other bundle changes).
        let readsArrays = spec.points.contains { $0.experiment.data.arrays != nil }
        specDirectory = readsArrays ? spec.specDirectory : nil
        workingDirectory = readsArrays ? spec.workingDirectory : nil
        points = spec.points.map {
            Point(index: $0.index, label: $0.label,
                  assignments: Dictionary(uniqueKeysWithValues: $0.assignments.map { ($0.path, $0.value) }),
                  experiment: $0.experiment)
        }
    }
}


/// One row of `results.csv`: one estimate for one run point, epoch, layer and estimator.
public struct ResultRow: Codable, Sendable, Equatable {
    public var point: Int
    public var label: String
    public var epoch: Int
    public var layer: String
    public var layerIndex: Int
    public var estimator: String
    /// The estimator's flavour in words (e.g. which MLE average), so the output says which.
    public var flavour: String
    public var value: Double
    /// Error bar (standard deviation over resamples) when the estimator provides one.
    public var error: Double?
    public var n: Int
    public var dimension: Int
    public var seconds: Double
    /// A step probe's global optimizer step (``epoch`` is then the epoch in progress); nil for an
    /// epoch probe.
    public var step: Int?
    /// The block analysis (estimate on N, N/2, N/4, … points) when the estimator ran it; absent
    /// from `results.csv` (one row per estimate), present in `aggregate.json` and `blocks.csv`.
    public var blocks: [BlockEstimate]?
    /// With `per_class`: the class whose probe points alone gave this estimate; nil for an
    /// estimate on the whole probe set.
    public var classLabel: Int?

    public init(point: Int, label: String, epoch: Int, layer: String, layerIndex: Int, estimator: String,
                flavour: String = "", value: Double, error: Double? = nil, n: Int, dimension: Int, seconds: Double,
                step: Int? = nil, blocks: [BlockEstimate]? = nil, classLabel: Int? = nil) {
        self.classLabel = classLabel
        self.step = step
        self.blocks = blocks
        self.point = point
        self.label = label
        self.epoch = epoch
        self.layer = layer
        self.layerIndex = layerIndex
        self.estimator = estimator
        self.flavour = flavour
        self.value = value
        self.error = error
        self.n = n
        self.dimension = dimension
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case point, label, epoch, layer, estimator, flavour, value, error, n, dimension, seconds, step, blocks
        case classLabel = "class"
        case layerIndex = "layer_index"
    }
}

/// Writes and reads the tidy `results.csv`.
public enum ResultsCSV {
    /// The error-bar column, named for what it measures: the standard deviation of the estimate
    /// over random subsets of one probe set (not the spread across training seeds, which is in
    /// `summary.csv`); empty when the estimator ran without resampling. For `linear_probe` it is
    /// the standard deviation of the accuracy across cross-validation folds of the probe set.
    public static let subsampleColumn = "probe_subsample_sd"

    /// - Parameters:
    ///   - columns: the per-point columns after `point` and `label` (configuration, swept keys, settings).
    ///   - values: each point's values of `columns`.
    ///
    /// A `step` column follows `epoch` only when some row comes from a step probe, and a `class`
    /// column follows `estimator` only when some row is a per-class estimate (empty on the rows of
    /// the whole probe set), so tables of runs without either are unchanged.
    public static func render(_ rows: [ResultRow], columns: [String], values: [Int: [String]]) -> String {
        let steps = rows.contains { $0.step != nil }
        let classes = rows.contains { $0.classLabel != nil }
        var header = ["point", "label"] + columns
        header += ["epoch"] + (steps ? ["step"] : [])
        header += ["layer", "layer_index", "estimator"] + (classes ? ["class"] : [])
        header += ["value", subsampleColumn, "n", "dimension", "seconds", "flavour"]
        var lines = [header.map(quote).joined(separator: ",")]
        for r in rows {
            let own = values[r.point] ?? []
            var fields = [String(r.point), quote(r.label)] + columns.indices.map { own.indices.contains($0) ? quote(own[$0]) : "" }
            fields += [String(r.epoch)] + (steps ? [r.step.map(String.init) ?? ""] : [])
            fields += [quote(r.layer), String(r.layerIndex), r.estimator] + (classes ? [r.classLabel.map(String.init) ?? ""] : [])
            fields += [String(r.value), r.error.map { String($0) } ?? "", String(r.n), String(r.dimension),
                       String(format: "%.6f", r.seconds), quote(r.flavour)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rows of a `results.csv` table; `file` names it in errors.
    public static func parse(_ table: CSVTable, file: String) throws -> [ResultRow] {
        func column(_ name: String) throws -> Int {
            guard let i = table.column(name) else { throw BundleError.unreadable(file, "no '\(name)' column") }
            return i
        }
        let p = try column("point"), l = try column("label"), e = try column("epoch"), layer = try column("layer")
        let li = try column("layer_index"), est = try column("estimator"), v = try column("value")
        // Bundles written before the column said what it measures call it `error`.
        let err = table.column(subsampleColumn) ?? table.column("error"), n = table.column("n"), d = table.column("dimension")
        let sec = table.column("seconds"), fl = table.column("flavour"), st = table.column("step"), cl = table.column("class")
        return try table.rows.enumerated().map { i, r in
            guard r.count == table.header.count, let point = Int(r[p]), let epoch = Int(r[e]),
                  let layerIndex = Int(r[li]), let value = Double(r[v]) else {
                throw BundleError.unreadable(file, "row \(i + 2) is malformed")
            }
            return ResultRow(point: point, label: r[l], epoch: epoch, layer: r[layer], layerIndex: layerIndex,
                             estimator: r[est], flavour: fl.map { r[$0] } ?? "", value: value,
                             error: err.flatMap { Double(r[$0]) }, n: n.flatMap { Int(r[$0]) } ?? 0,
                             dimension: d.flatMap { Int(r[$0]) } ?? 0, seconds: sec.flatMap { Double(r[$0]) } ?? 0,
                             step: st.flatMap { Int(r[$0]) }, classLabel: cl.flatMap { Int(r[$0]) })
        }
    }

    public static func quote(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
