import ExperimentSpec
import Foundation
import ResultBundles

/// Why each stage of a plan is cached or must run.
public struct PlanEntry: Sendable {
    public var stage: Stage
    public var cached: Bool
    /// For stages that must run: new, which parameter changed, which input changed, or format version.
    public var reason: String
}

/// Explains a stage graph against the store and the latest bundle of the same experiment.
public enum Planner {
    public static func explain(_ graph: StageGraph, resultsDirectory: URL, experiment: String) -> [PlanEntry] {
        let store = StageStore(root: resultsDirectory.appendingPathComponent(".store"))
        // The most recent earlier definition of each stage name.
        var previous: [String: StageDefinition] = [:]
        let dir = resultsDirectory.appendingPathComponent(experiment)
        for bundle in BundleReader.bundles(under: resultsDirectory) where bundle.deletingLastPathComponent().path == dir.path {
            guard let reader = try? BundleReader(bundle) else { continue }
            for record in reader.manifest.stages where previous[record.name] == nil {
                // A bundle whose stage records cannot be read explains nothing; the stage is then "new".
                if let result = try? StageResult.read(from: reader.layout.stage(record.key)) {
                    previous[record.name] = result.definition
                }
            }
        }
        return graph.stages.map { stage in
            if store.isDone(stage.key) { return PlanEntry(stage: stage, cached: true, reason: "cached") }
            guard let old = previous[stage.name] else { return PlanEntry(stage: stage, cached: false, reason: "new") }
            if old.key == stage.key { return PlanEntry(stage: stage, cached: false, reason: "outputs not in the store (failed or removed)") }
            if old.formatVersion != stage.kind.formatVersion {
                return PlanEntry(stage: stage, cached: false, reason: "format version changed (\(old.formatVersion) → \(stage.kind.formatVersion))")
            }
            let now = (try? JSONDecoder().decode(JSONValue.self, from: stage.params))?.flattened() ?? [:]
            let before = old.params.flattened()
            let changed = Set(now.keys).union(before.keys).sorted().filter { now[$0] != before[$0] }
            if !changed.isEmpty {
                let parts = changed.prefix(3).map { "\($0) \(before[$0] ?? "unset") → \(now[$0] ?? "unset")" }
                return PlanEntry(stage: stage, cached: false,
                                 reason: "parameter changed: " + parts.joined(separator: ", ") + (changed.count > 3 ? ", …" : ""))
            }
            let changedInputs = zip(old.inputs, stage.inputs).filter { $0 != $1 }.compactMap { graph.stage($0.1)?.name }
            return PlanEntry(stage: stage, cached: false,
                             reason: "input changed: " + (changedInputs.isEmpty ? "inputs differ" : changedInputs.joined(separator: ", ")))
        }
    }
}
