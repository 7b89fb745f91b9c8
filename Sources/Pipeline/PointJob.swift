import Datasets
import Dimensionality
import ExperimentSpec
import Foundation
import NeuralNets
import ResultBundles
import Tensors

/// A run point's failure, naming the stage and the reason.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var reason: String
    public var description: String { "stage \(stage) failed: \(reason)" }
}

/// Trains one run point, probing and estimating at the requested epochs.
struct PointJob {
    let point: RunPoint
    let data: PreparedData
    let probeInputs: FloatTensor
    let layout: BundleLayout
    let log: @Sendable (String) -> Void

    var stageName: String { "train[\(point.label)]" }

    func run() throws -> (rows: [ResultRow], metrics: [EpochMetrics]) {
        let exp = point.experiment
        let dir = layout.stage("point-\(point.index)")
        var initRNG = RandomStream(seed: exp.train.seed, path: "model/init")
        let model = Architectures.mlp(
            inputs: data.train.inputs.columns, widths: exp.model.widths, classes: data.train.classes,
            activation: ActivationKind(rawValue: exp.model.activation.rawValue) ?? .relu,
            initializer: Initializer(rawValue: exp.model.initializer.rawValue) ?? .he, rng: &initRNG)
        let optimizer = SGD(learningRate: exp.train.lr, momentum: exp.train.momentum,
                            nesterov: exp.train.nesterov, weightDecay: exp.train.weightDecay)
        var trainer = Trainer(batchSize: exp.train.batchSize, shuffle: RandomStream(seed: exp.train.seed, path: "train/shuffle"))
        var rows: [ResultRow] = []
        var metrics: [EpochMetrics] = []
        var metricsText = ""
        let layers = exp.probedLayers

        func probe(epoch: Int) throws {
            let acts = model.activations(of: probeInputs, layers: layers)
            for (li, layer) in exp.layerNames.enumerated() where layers.contains(layer) {
                guard let a = acts[layer] else { continue }
                try NPY.write(a, to: dir.appendingPathComponent("activations/epoch\(epoch)/\(layer).npy"))
                for estimator in exp.estimators.names {
                    let start = Date()
                    let value: Double
                    do {
                        value = try ParticipationRatio.estimate(a)
                    } catch {
                        throw StageFailure(stage: "estimate[\(point.label),epoch=\(epoch),layer=\(layer),\(estimator)]",
                                           reason: "\(error)")
                    }
                    rows.append(ResultRow(point: point.index, label: point.label, epoch: epoch, layer: layer,
                                          layerIndex: li, estimator: estimator, value: value, n: a.rows,
                                          dimension: a.columns, seconds: Date().timeIntervalSince(start)))
                }
            }
            try Safetensors.write(Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value) }),
                                  to: dir.appendingPathComponent("checkpoints/epoch\(epoch).safetensors"),
                                  metadata: ["epoch": String(epoch), "format": "accordion-mlp"])
        }

        if exp.probe.epochs.contains(0) { try probe(epoch: 0) }
        for epoch in stride(from: 1, through: exp.train.epochs, by: 1) {
            let start = Date()
            let train: (loss: Double, accuracy: Double)
            do {
                var lastReport = Date()
                train = try trainer.trainEpoch(model, optimizer: optimizer, inputs: data.train.inputs,
                                               labels: data.train.labels, epoch: epoch) { step, steps, loss in
                    if Date().timeIntervalSince(lastReport) > 5 {
                        lastReport = Date()
                        log("  \(stageName) epoch \(epoch) step \(step)/\(steps) loss \(String(format: "%.4f", loss))")
                    }
                }
            } catch let error as DivergenceError {
                throw StageFailure(stage: stageName, reason: error.description)
            }
            let test = Trainer.evaluate(model, inputs: data.test.inputs, labels: data.test.labels)
            let m = EpochMetrics(epoch: epoch, trainLoss: train.loss, trainAccuracy: train.accuracy,
                                 testLoss: test.loss, testAccuracy: test.accuracy,
                                 seconds: Date().timeIntervalSince(start))
            metrics.append(m)
            let line = try JSONEncoder.sorted.encode(m)
            metricsText += String(decoding: line, as: UTF8.self) + "\n"
            try AtomicWrite.write(metricsText, to: dir.appendingPathComponent("metrics.jsonl"))
            let rate = Double(data.train.count) / max(m.seconds, 1e-9)
            log("  \(stageName) epoch \(epoch)/\(exp.train.epochs): train loss \(String(format: "%.4f", m.trainLoss)), test accuracy \(String(format: "%.4f", m.testAccuracy)), \(Int(rate)) samples/s")
            if exp.probe.epochs.contains(epoch) { try probe(epoch: epoch) }
        }
        return (rows, metrics)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
