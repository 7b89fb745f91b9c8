import Claims
import ExperimentSpec
import Foundation
import ResultBundles
import Statistics

extension ReportBuilder {
    /// A finished bundle as Markdown for documentation, every number read from the bundle: where
    /// it came from (path, commit, run points, wall time), one row per configuration with its
    /// replicate count, final training and test accuracy and the ID of its last hidden layer at the
    /// last probed epoch per estimator (mean [95 % CI] across replicates), then its claims.
    ///
    /// - Parameter path: the bundle as the reader should see it named (e.g. relative to the repository).
    public static func markdown(of bundle: BundleReader, path: String) throws -> String {
        let aggregate = try aggregate(of: bundle)
        let manifest = bundle.manifest
        var out = "### \(manifest.experiment)\n\n"
        let provenance = try Provenance.read(from: bundle.layout.root)
        var facts = ["bundle `\(path)`"]
        if let commit = provenance.gitCommit {
            facts.append("commit `\(commit.prefix(10))`" + (provenance.gitDirty == true ? " (modified tree)" : ""))
        }
        let configurations = Dictionary(grouping: aggregate.points, by: \.configuration)
        facts.append("\(aggregate.points.count) run point\(aggregate.points.count == 1 ? "" : "s") in \(configurations.count) configuration\(configurations.count == 1 ? "" : "s")")
        if let seconds = manifest.seconds { facts.append("\(Int(seconds.rounded())) s of wall time") }
        out += facts.joined(separator: " · ") + "\n\n"
        out += configurationTable(aggregate) + "\n"
        let claims = try claims(of: bundle)
        out += claims.isEmpty ? "No claims declared.\n" : "Claims (effect with 95 % CI across replicates; p-values Holm-adjusted):\n\n" + ClaimsTable.markdown(claims)
        return out
    }

    /// `| configuration | n | epochs | train accuracy | test accuracy | <estimator> (<layer>) … |`.
    static func configurationTable(_ aggregate: AggregateRecord) -> String {
        let labels = configurationLabels(aggregate)
        let byConfiguration = Dictionary(grouping: aggregate.points, by: \.configuration)
        let metrics = Dictionary(aggregate.metrics.map { ($0.point, $0.epochs) }, uniquingKeysWith: { a, _ in a })
        let rows = aggregate.rows.filter { $0.step == nil }
        let rowsByPoint = Dictionary(grouping: rows, by: \.point)
        let estimators = EstimatorsSpec.order.filter { name in rows.contains { $0.estimator == name } }
        // "last hidden layer" when every network has one probed; else the deepest layer probed
        // (a spec that probes only `input`, say), named in each cell either way.
        let hasHidden = aggregate.points.allSatisfy { p in
            LayerRef.resolve("last_hidden", in: Dictionary((rowsByPoint[p.index] ?? []).map { ($0.layerIndex, $0.layer) },
                                                           uniquingKeysWith: { a, _ in a }).sorted { $0.key < $1.key }.map(\.value)) != nil
        }
        var header = ["configuration", "n", "epochs", "train accuracy", "test accuracy"]
        header += estimators.map { "\($0), \(hasHidden ? "last hidden layer" : "deepest layer probed")" }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|---|" + String(repeating: "---:|", count: header.count - 1)]
        for c in byConfiguration.keys.sorted() {
            let points = byConfiguration[c] ?? []
            let seeds = Set(points.map(\.replicate)).count
            let last = points.compactMap { metrics[$0.index]?.last }
            let epochs = Set(last.map(\.epoch)).sorted().map(String.init).joined(separator: ", ")
            var cells = [labels[c] ?? "\(c)", String(seeds), epochs.isEmpty ? "—" : epochs,
                         stat(last.compactMap(\.trainAccuracyBest)), stat(last.map(\.testAccuracy))]
            for estimator in estimators {
                // Per replicate: the last hidden layer (the last main layer before the logits) at the
                // last probed epoch; probe replicates of one training seed are averaged first.
                var perSeed: [Int: [Double]] = [:]
                var layerName = ""
                for p in points {
                    let own = (rowsByPoint[p.index] ?? []).filter { $0.estimator == estimator }
                    guard let epoch = own.map(\.epoch).max() else { continue }
                    let layers = Dictionary(own.filter { $0.epoch == epoch }.map { ($0.layerIndex, $0) }, uniquingKeysWith: { a, _ in a })
                    let names = layers.keys.sorted().compactMap { layers[$0]?.layer }
                    guard let layer = LayerRef.resolve("last_hidden", in: names) ?? names.last,
                          let row = layers.values.first(where: { $0.layer == layer }) else { continue }
                    layerName = layer
                    perSeed[p.replicate, default: []].append(row.value)
                }
                let values = perSeed.keys.sorted().compactMap { perSeed[$0].flatMap(Statistics.mean) }
                cells.append(values.isEmpty ? "—" : stat(values) + " (\(layerName))")
            }
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `mean [low, high]` with a 95 % Student-t CI across replicates, or the single value.
    static func stat(_ values: [Double]) -> String {
        guard let g = GroupStatistics(values.filter(\.isFinite)) else { return "—" }
        func f(_ x: Double) -> String { String(format: abs(x) < 1 ? "%.3f" : abs(x) < 100 ? "%.2f" : "%.0f", x) }
        guard let low = g.ciLow, let high = g.ciHigh else { return f(g.mean) }
        return "\(f(g.mean)) [\(f(low)), \(f(high))]"
    }
}
