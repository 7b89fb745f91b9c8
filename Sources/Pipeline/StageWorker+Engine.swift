import Dimensionality
import Foundation
import NeuralNets
import ResultBundles
import Tensors
import ExperimentSpec
import Datasets

extension StageWorker {
    func runProbe(_ p: ProbeParams, stage: Stage, dir: URL) throws {
        let data = try prepared(stage.inputs[0])
        let trainDef = try store.definition(stage.inputs[1])
        guard case .train(let tp) = try trainDef.work() else { throw StageFailure(stage: stage.name, reason: "input is not a train stage") }
        let model = try ModelFactory.build(tp.model, data: data, seed: tp.train.seed, loadInitialWeights: false)
        let file = store.directory(stage.inputs[1]).appendingPathComponent(p.checkpointFile)
        do {
            try model.loadCheckpoint(from: file)
        } catch {
            throw StageFailure(stage: stage.name, reason: "\(error)")
        }
        let pool = p.split == .test ? data.test : data.train
        var rng = RandomStream(seed: p.seed, path: "probe/select")
        let indices = Array(rng.permutation(pool.count).prefix(p.size)).sorted()
        let acts = model.activations(of: pool.inputs.gatherRows(indices), layers: p.layers)
        for layer in p.layers {
            guard let a = acts[layer] else { throw StageFailure(stage: stage.name, reason: "the model has no layer '\(layer)'") }
            try NPY.write(a, to: dir.appendingPathComponent("\(layer).npy"))
        }
        try ProbeRecord(split: p.split.rawValue, indices: indices, labels: indices.map { pool.labels[$0] },
                        classes: pool.classes).write(to: dir)
    }

    func runEstimate(_ p: EstimateParams, stage: Stage, dir: URL) throws {
        let file = store.directory(stage.inputs[0]).appendingPathComponent("\(p.layer).npy")
        guard let bytes = FileManager.default.contents(atPath: file.path) else {
            throw StageFailure(stage: stage.name, reason: "the activations \(file.path) are missing or unreadable")
        }
        let points: FloatTensor = try NPY.decode(bytes, name: file.path)
        let estimate: IDEstimate
        var perClass: [ClassEstimate]?
        do {
            // `per_class` is the stage's business, not the estimator's.
            let wantsPerClass = p.settings[EstimateParams.perClassKey] == "true"
            let estimator = try IDEstimator.named(p.estimator, settings: p.settings.filter { $0.key != EstimateParams.perClassKey })
            var labels: [Int]?
            if estimator.needsLabels || wantsPerClass {
                let probe = store.directory(stage.inputs[0])
                guard FileManager.default.fileExists(atPath: probe.appendingPathComponent(ProbeRecord.fileName).path) else {
                    throw StageFailure(stage: stage.name, reason: "\(p.estimator)\(estimator.needsLabels ? "" : " with per_class") needs the probe set's labels, but \(probe.path) has no \(ProbeRecord.fileName) (written by an older probe stage); rerun the probe stage")
                }
                let record = try ProbeRecord.read(from: probe)
                guard record.labels.count == points.rows else {
                    throw StageFailure(stage: stage.name, reason: "\(ProbeRecord.fileName) holds \(record.labels.count) labels for \(points.rows) probe points")
                }
                labels = record.labels
            }
            estimate = try estimator.estimate(points, labels: estimator.needsLabels ? labels : nil, threads: Parallelism.workers)
            if wantsPerClass, let labels {
                perClass = try estimator.estimatePerClass(points, labels: labels, threads: Parallelism.workers)
            }
        } catch let failure as StageFailure {
            throw failure
        } catch {
            throw StageFailure(stage: stage.name, reason: "\(error)")
        }
        try EstimateRecord(estimate: estimate, dimension: points.columns, perClass: perClass).write(to: dir)
    }
}
