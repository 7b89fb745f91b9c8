import Foundation
import ResultBundles
import Tensors

extension StageWorker {
    /// Reads one epoch of exported activations and writes them as a probe stage does (one
    /// N×D float32 `.npy` per layer and `probe.json`), so estimates read them unchanged.
    func runImport(_ p: ImportParams, stage: Stage, dir: URL) throws {
        // The key holds the files as they were planned; a file rewritten since would be cached
        // under the wrong key.
        for (path, planned) in p.files.sorted(by: { $0.key < $1.key }) where ImportParams.stamp(path) != planned {
            throw StageFailure(stage: stage.name, reason: "\(path) changed since the run was planned (\(planned) → \(ImportParams.stamp(path))); run again")
        }
        do {
            let layers = try ActivationFiles.load(p.spec, epoch: p.epoch, seed: 0)
            let rows = layers.first?.points.rows ?? 0
            for (layer, points) in layers { try NPY.write(points, to: dir.appendingPathComponent("\(layer).npy")) }
            let labels = try ActivationFiles.labels(p.spec, seed: 0, rows: rows)
            try ProbeRecord(split: "imported", indices: Array(0..<rows), labels: labels ?? [],
                            classes: labels.map { ($0.max() ?? -1) + 1 } ?? 0).write(to: dir)
            log("  import: \(rows) points × \(layers.count) layers at epoch \(p.epoch) from \(p.directory)")
        } catch let problem as ActivationFiles.Problem {
            throw StageFailure(stage: stage.name, reason: problem.message)
        }
    }
}
