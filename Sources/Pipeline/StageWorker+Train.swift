import Foundation
import NeuralNets
import ResultBundles
import Tensors
import ExperimentSpec
import Datasets

extension StageWorker {
    /// Trains one run point and writes its checkpoints and `metrics.jsonl`.
    ///
    /// `metrics.jsonl` opens with epoch 0 (the untrained network, evaluated) and has one line per
    /// epoch trained. Training runs for `train.epochs` epochs, or stops after `train.steps`
    /// optimizer steps (the last epoch partial), or after the first epoch whose evaluated training
    /// loss reaches `train.target_loss`. A checkpoint asked for after the run stopped holds the
    /// final network, and its metadata says after which epoch training stopped.
    ///
    /// With `checkpoint_steps`, `checkpoints/step<N>.safetensors` is also written when the global
    /// optimizer-step counter reaches N (mid-epoch, right after that step's update; N = 0 before
    /// training), or at the end for a step the run never reached.
    func runTrain(_ p: TrainParams, stage: Stage, dir: URL) throws {
        let data = try prepared(stage.inputs[0])
        let model = try ModelFactory.build(p.model, data: data, seed: p.train.seed)
        let optimizer = ModelFactory.optimizer(p.train)
        let n = data.train.count
        let batch = p.train.isFullBatch ? max(n, 1) : p.train.batchSize
        let stepsPerEpoch = max(1, (n + batch - 1) / batch)
        let lossKind: LossKind = p.train.loss == .mse ? .mse : .crossEntropy
        let schedule = ModelFactory.schedule(p.train)
        var trainer = Trainer(batchSize: batch, shuffle: RandomStream(seed: p.train.seed, path: "train/shuffle"),
                              loss: lossKind, schedule: schedule)
        // The same minibatches every epoch, so the noise is comparable across epochs.
        let noiseStream = RandomStream(seed: p.train.seed, path: "train/noise")
        var trainedEpochs = 0
        func checkpoint(_ epoch: Int) throws {
            try model.saveCheckpoint(to: dir.appendingPathComponent("checkpoints/epoch\(epoch).safetensors"),
                                     metadata: ["epoch": String(epoch), "architecture": p.model.architecture.rawValue,
                                                "trained_epochs": String(trainedEpochs)])
        }
        let stepCheckpoints = Set(p.checkpointSteps ?? [])
        var stepsTaken = 0
        /// The network after global optimizer step `step`; `trained_steps` says how many it took,
        /// fewer when training stopped earlier.
        func checkpoint(step: Int, trained: Int) throws {
            try model.saveCheckpoint(to: dir.appendingPathComponent("checkpoints/step\(step).safetensors"),
                                     metadata: ["step": String(step), "architecture": p.model.architecture.rawValue,
                                                "trained_steps": String(trained)])
        }
        /// The network as it stands, evaluated on both splits, with the gradient noise at the
        /// training batch size and the learning rate `rate`.
        func measure(epoch: Int, running: (loss: Double, accuracy: Double)?, seconds: Double, steps: Int,
                     rate: Double) -> EpochMetrics {
            let train = Trainer.evaluate(model, inputs: data.train.inputs, labels: data.train.labels, loss: lossKind)
            let test = Trainer.evaluate(model, inputs: data.test.inputs, labels: data.test.labels, loss: lossKind)
            var noise: Double?
            if p.train.noiseBatches >= 2 && n > 0 {
                // A batch of the whole split is the same set at every step: tr Σ_N = 0 exactly.
                noise = batch >= n ? 0
                    : trainer.gradientNoise(model, inputs: data.train.inputs, labels: data.train.labels,
                                            minibatches: p.train.noiseBatches, rng: noiseStream).traceCovariance
            }
            return EpochMetrics(epoch: epoch, trainLoss: running?.loss, trainAccuracy: running?.accuracy,
                                testLoss: test.loss, testAccuracy: test.accuracy, seconds: seconds, gradientNoise: noise,
                                trainLossEval: train.loss, trainAccuracyEval: train.accuracy,
                                noiseTemperature: noise.map { rate * $0 }, learningRate: rate, steps: steps,
                                targetReached: p.train.targetLoss.map { train.loss <= $0 })
        }

        if p.checkpoints.contains(0) { try checkpoint(0) }
        if stepCheckpoints.contains(0) { try checkpoint(step: 0, trained: 0) }
        let firstRate = schedule?.learningRate(epoch: 1, step: 0, stepsPerEpoch: stepsPerEpoch) ?? optimizer.learningRate
        var metrics = [measure(epoch: 0, running: nil, seconds: 0, steps: 0, rate: firstRate)]
        try MetricsLog.write(metrics, to: dir)
        for epoch in stride(from: 1, through: p.train.epochs, by: 1) {
            let remaining = p.train.steps.map { $0 - stepsTaken }
            if let remaining, remaining <= 0 { break }
            let start = Date()
            var lastReport = Date()
            let result: (loss: Double, accuracy: Double, steps: Int)
            do {
                result = try trainer.trainEpoch(model, optimizer: optimizer, inputs: data.train.inputs, labels: data.train.labels,
                                                epoch: epoch, maxSteps: remaining) { step, steps, loss in
                    // Mid-epoch checkpoints: the optimizer has applied step `step` of this epoch.
                    if stepCheckpoints.contains(stepsTaken + step) { try checkpoint(step: stepsTaken + step, trained: stepsTaken + step) }
                    let now = Date()
                    if now.timeIntervalSince(lastReport) >= self.progress.interval {
                        lastReport = now
                        let rate = Double(min(step * batch, n)) / max(now.timeIntervalSince(start), 1e-9)
                        self.progress.update(TrainingUpdate(key: stage.key, name: stage.name, epoch: epoch, epochs: p.train.epochs,
                                                            step: step, steps: steps, loss: loss, samplesPerSecond: Int(rate)))
                    }
                }
            } catch let error as DivergenceError {
                throw StageFailure(stage: stage.name, reason: error.description)
            }
            let seconds = Date().timeIntervalSince(start)
            stepsTaken += result.steps
            trainedEpochs = epoch
            let m = measure(epoch: epoch, running: (result.loss, result.accuracy), seconds: seconds, steps: stepsTaken,
                            rate: optimizer.learningRate)
            metrics.append(m)
            try MetricsLog.write(metrics, to: dir)
            let rate = Double(min(result.steps * batch, n)) / max(m.seconds, 1e-9)
            log("  \(stage.name) epoch \(epoch)/\(p.train.epochs): train loss \(String(format: "%.4f", result.loss)) (evaluated \(String(format: "%.4f", m.trainLossEval ?? .nan))), test accuracy \(String(format: "%.4f", m.testAccuracy)), \(Int(rate)) samples/s"
                + (m.gradientNoise.map { String(format: ", noise %.3g", $0) } ?? ""))
            if p.checkpoints.contains(epoch) { try checkpoint(epoch) }
            if m.targetReached == true {
                log("  \(stage.name) reached train loss \(String(format: "%.4g", m.trainLossEval ?? .nan)) ≤ \(p.train.targetLoss ?? 0) after epoch \(epoch)")
                break
            }
        }
        for epoch in p.checkpoints where epoch > trainedEpochs { try checkpoint(epoch) }
        for step in p.checkpointSteps ?? [] where step > stepsTaken { try checkpoint(step: step, trained: stepsTaken) }
    }
}
