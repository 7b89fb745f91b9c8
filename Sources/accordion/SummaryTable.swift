import Foundation
import Pipeline

/// The terminal summary of a run: per point, test accuracy and a layer × estimator table with
/// one column per probed epoch.
enum SummaryTable {
    static func render(_ summary: RunSummary) -> String {
        var out: [String] = []
        for point in summary.points {
            let rows = summary.rows.filter { $0.point == point.index }
            let accuracy = summary.metrics[point.index]?.last.map { String(format: "%.4f", $0.testAccuracy) } ?? "–"
            out.append("")
            out.append("point \(point.index) (\(point.label)): test accuracy \(accuracy)")
            guard !rows.isEmpty else {
                out.append("  no estimates")
                continue
            }
            let epochs = Array(Set(rows.map(\.epoch))).sorted()
            let estimators = Array(Set(rows.map(\.estimator))).sorted()
            let layers = Dictionary(grouping: rows, by: \.layerIndex).sorted { $0.key < $1.key }.map { $0.value[0].layer }
            var header = "  " + "layer".padding(toLength: 8, withPad: " ", startingAt: 0)
            for est in estimators {
                for e in epochs { header += ("\(est.uppercased())@\(e)").leftPad(12) }
            }
            out.append(header)
            for layer in layers {
                var line = "  " + layer.padding(toLength: 8, withPad: " ", startingAt: 0)
                for est in estimators {
                    for e in epochs {
                        let v = rows.first { $0.layer == layer && $0.epoch == e && $0.estimator == est }?.value
                        line += (v.map { String(format: "%.2f", $0) } ?? "–").leftPad(12)
                    }
                }
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
