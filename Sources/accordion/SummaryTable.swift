import Foundation
import Pipeline
import ExperimentSpec
import ResultBundles

/// The terminal summary of a run: per point, test accuracy and one row per estimator and probed
/// epoch (`pr@1`) or step (`pr@step50`) with a column per layer (layers in depth order), so expansion and compression read left
/// to right.
enum SummaryTable {
    static func render(_ summary: RunSummary) -> String {
        var out: [String] = []
        for point in summary.points {
            let rows = summary.rows.filter { $0.point == point.index }
            let accuracy = summary.metrics[point.index]?.last.map { String(format: "%.4f", $0.testAccuracy) } ?? "–"
            out.append("")
            // Imported activations come without training, hence without an accuracy.
            out.append("point \(point.index) (\(point.label)): " + (point.experiment.activations == nil ? "test accuracy \(accuracy)" : "imported activations"))
            guard !rows.isEmpty else {
                out.append("  no estimates")
                continue
            }
            // Epoch probes (`pr@1`), then step probes (`pr@step50`).
            let epochs = Array(Set(rows.filter { $0.step == nil }.map(\.epoch))).sorted()
            let steps = Array(Set(rows.compactMap(\.step))).sorted()
            let times: [(label: String, matches: (ResultRow) -> Bool)] = epochs.map { e in ("\(e)", { $0.step == nil && $0.epoch == e }) }
                + steps.map { s in ("step\(s)", { $0.step == s }) }
            let estimators = Array(Set(rows.map(\.estimator))).sorted()
            let layers = Dictionary(grouping: rows, by: \.layerIndex).sorted { $0.key < $1.key }.map { $0.value[0].layer }
            let width = max(8, (layers.map(\.count).max() ?? 0) + 2)
            out.append("  " + "estimator@epoch".padding(toLength: 18, withPad: " ", startingAt: 0) + layers.map { $0.leftPad(width) }.joined())
            for est in estimators {
                for time in times {
                    let values = layers.map { layer -> String in
                        let r = rows.first { $0.layer == layer && $0.estimator == est && time.matches($0) }
                        return (r.map { String(format: "%.2f", $0.value) } ?? "–").leftPad(width)
                    }
                    out.append("  " + "\(est)@\(time.label)".padding(toLength: 18, withPad: " ", startingAt: 0) + values.joined())
                }
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
