import Dimensionality
import Foundation
import NeuralNets
import ResultBundles
import Tensors
import ExperimentSpec
import Datasets

extension StageWorker {
    func runTrain(_ p: TrainParams, stage: Stage, dir: URL) throws {
        let data = try prepared(stage.inputs[0])
        let model = try ModelFactory.build(p.model, data: data, seed: p.train.seed)
        let optimizer = ModelFactory.optimizer(p.train)
        var trainer = Trainer(batchSize: p.train.batchSize, shuffle: RandomStream(seed: p.train.seed, path: "train/shuffle"),
                              loss: p.train.loss == .mse ? .mse : .crossEntropy, schedule: ModelFactory.schedule(p.train))
        // The same minibatches every epoch, so the noise scale is comparable across epochs.
        let noiseStream = RandomStream(seed: p.train.seed, path: "train/noise")
        func checkpoint(_ epoch: Int) throws {
            try model.saveCheckpoint(to: dir.appendingPathComponent("checkpoints/epoch\(epoch).safetensors"),
                                     metadata: ["epoch": String(epoch), "architecture": p.model.architecture.rawValue])
        }
        if p.checkpoints.contains(0) { try checkpoint(0) }
        var metrics: [EpochMetrics] = []
        for epoch in stride(from: 1, through: p.train.epochs, by: 1) {
            let start = Date()
            var lastReport = Date()
            let result: (loss: Double, accuracy: Double)
            do {
                result = try trainer.trainEpoch(model, optimizer: optimizer, inputs: data.train.inputs,
                                            labels: data.train.labels, epoch: epoch) { step, steps, loss in
                let now = Date()
                if now.timeIntervalSince(lastReport) >= self.progress.interval {
                    lastReport = now
                    let rate = Double(min(step * p.train.batchSize, data.train.count)) / max(now.timeIntervalSince(start), 1e-9)
                    self.progress.report("  \(stage.name) epoch \(epoch)/\(p.train.epochs) step \(step)/\(steps) loss \(String(format: "%.4f", loss)), \(Int(rate)) samples/s")
                }
            }
            } catch let error as DivergenceError {
                throw StageFailure(stage: stage.name, reason: error.description)
            }
            let seconds = Date().timeIntervalSince(start)
            var noise: Double?
            if p.train.noiseBatches >= 2 {
                noise = trainer.gradientNoise(model, inputs: data.train.inputs, labels: data.train.labels,
                                              minibatches: p.train.noiseBatches, rng: noiseStream).traceCovariance
            }
            let test = Trainer.evaluate(model, inputs: data.test.inputs, labels: data.test.labels,
                                        loss: p.train.loss == .mse ? .mse : .crossEntropy)
            let m = EpochMetrics(epoch: epoch, trainLoss: result.loss, trainAccuracy: result.accuracy,
                                 testLoss: test.loss, testAccuracy: test.accuracy, seconds: seconds, gradientNoise: noise)
            metrics.append(m)
            try MetricsLog.write(metrics, to: dir)
            let rate = Double(data.train.count) / max(m.seconds, 1e-9)
            log("  \(stage.name) epoch \(epoch)/\(p.train.epochs): train loss \(String(format: "%.4f", m.trainLoss)), test accuracy \(String(format: "%.4f", m.testAccuracy)), \(Int(rate)) samples/s" + (noise.map { String(format: ", noise %.3g", $0) } ?? ""))
            if p.checkpoints.contains(epoch) { try checkpoint(epoch) }
        }
        if p.train.epochs == 0 { try MetricsLog.write([], to: dir) }
    }

    func runProbe(_ p: ProbeParams, stage: Stage, dir: URL) throws {
        let data = try prepared(stage.inputs[0])
        let trainDef = try store.definition(stage.inputs[1])
        guard case .train(let tp) = try trainDef.work() else { throw StageFailure(stage: stage.name, reason: "input is not a train stage") }
        let model = try ModelFactory.build(tp.model, data: data, seed: tp.train.seed, loadInitialWeights: false)
        let file = store.directory(stage.inputs[1]).appendingPathComponent("checkpoints/epoch\(p.epoch).safetensors")
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
        do {
            let estimator = try IDEstimator.named(p.estimator, settings: p.settings)
            var labels: [Int]?
            if estimator.needsLabels {
                let probe = store.directory(stage.inputs[0])
                guard FileManager.default.fileExists(atPath: probe.appendingPathComponent(ProbeRecord.fileName).path) else {
                    throw StageFailure(stage: stage.name, reason: "\(p.estimator) needs the probe set's labels, but \(probe.path) has no \(ProbeRecord.fileName) (written by an older probe stage); rerun the probe stage")
                }
                let record = try ProbeRecord.read(from: probe)
                guard record.labels.count == points.rows else {
                    throw StageFailure(stage: stage.name, reason: "\(ProbeRecord.fileName) holds \(record.labels.count) labels for \(points.rows) probe points")
                }
                labels = record.labels
            }
            estimate = try estimator.estimate(points, labels: labels, threads: BLAS.threads)
        } catch let failure as StageFailure {
            throw failure
        } catch {
            throw StageFailure(stage: stage.name, reason: "\(error)")
        }
        try EstimateRecord(estimate: estimate, dimension: points.columns).write(to: dir)
    }
}
