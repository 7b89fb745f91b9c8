import Foundation

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

    public init(point: Int, label: String, epoch: Int, layer: String, layerIndex: Int, estimator: String,
                flavour: String = "", value: Double, error: Double? = nil, n: Int, dimension: Int, seconds: Double) {
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
        case point, label, epoch, layer, estimator, flavour, value, error, n, dimension, seconds
        case layerIndex = "layer_index"
    }
}

/// Writes and reads the tidy `results.csv`.
public enum ResultsCSV {
    public static func render(_ rows: [ResultRow], sweptPaths: [String], assignments: [Int: [String]]) -> String {
        var header = ["point", "label"] + sweptPaths
        header += ["epoch", "layer", "layer_index", "estimator", "value", "error", "n", "dimension", "seconds", "flavour"]
        var lines = [header.joined(separator: ",")]
        for r in rows {
            var fields = [String(r.point), quote(r.label)] + (assignments[r.point] ?? []).map(quote)
            fields += [String(r.epoch), quote(r.layer), String(r.layerIndex), r.estimator,
                       String(r.value), r.error.map { String($0) } ?? "", String(r.n), String(r.dimension),
                       String(format: "%.6f", r.seconds), quote(r.flavour)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
