import Datasets
import Dimensionality
import ExperimentSpec
import Foundation
import NeuralNets
import ResultBundles
import Tensors

/// A stage that could not complete, with the reason a user can act on.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var reason: String
    public var description: String { "stage \(stage) failed: \(reason)" }
}

/// `estimate.json`: one estimator's answer on one layer (the engine's full ``IDEstimate``, plus
/// the layer's width).
public struct EstimateOutput: Codable, Sendable {
    public var estimate: IDEstimate
    public var dimension: Int
}

/// `data.json`: what a data stage prepared.
struct DataOutput: Codable {
    var fingerprint: String
    var source: String
    var trainCount: Int
    var testCount: Int
    var classes: Int
    var features: Int
    enum CodingKeys: String, CodingKey {
        case fingerprint, source, classes, features
        case trainCount = "train_count", testCount = "test_count"
    }
}

/// Where in-epoch progress lines go, and at most how often.
public struct TrainingProgress: Sendable {
    public var interval: Double
    public var report: @Sendable (String) -> Void

    public init(interval: Double, report: @escaping @Sendable (String) -> Void) {
        self.interval = interval
        self.report = report
    }
}

/// Runs one stage's work into a scratch directory.
final class StageExecutor: @unchecked Sendable {
    let store: StageStore
    let log: @Sendable (String) -> Void
    /// Transient in-epoch progress (a terminal may overwrite it in place), and how often to send it.
    let progress: TrainingProgress
    private let lock = NSLock()
    private var dataCache: [String: PreparedData] = [:]

    init(store: StageStore, log: @escaping @Sendable (String) -> Void, progress: TrainingProgress? = nil) {
        self.store = store
        self.log = log
        self.progress = progress ?? TrainingProgress(interval: 10, report: log)
    }

    func execute(_ stage: Stage, into dir: URL) throws {
        switch stage.work {
        case .data(let p): try runData(p, key: stage.key, dir: dir)
        case .train(let p): try runTrain(p, stage: stage, dir: dir)
        case .probe(let p): try runProbe(p, stage: stage, dir: dir)
        case .estimate(let p): try runEstimate(p, stage: stage, dir: dir)
        }
    }

    /// The prepared arrays of a data stage, recomputed (deterministically) in this process once
    /// and checked against the fingerprint the stage recorded.
    func prepared(_ dataKey: String) throws -> PreparedData {
        lock.lock()
        if let d = dataCache[dataKey] { lock.unlock(); return d }
        lock.unlock()
        let def = try store.definition(dataKey)
        guard case .data(let params) = try def.work() else { throw StageFailure(stage: def.name, reason: "not a data stage") }
        let data = try DataStage.prepare(params.data)
        if let recorded = try? JSONDecoder().decode(DataOutput.self, from: Data(contentsOf: store.directory(dataKey).appendingPathComponent("data.json"))),
           recorded.fingerprint != data.fingerprint {
            throw StageFailure(stage: def.name, reason: "the data in \(data.source) changed since it was prepared (fingerprint \(data.fingerprint.prefix(12)) ≠ \(recorded.fingerprint.prefix(12)))")
        }
        lock.lock()
        dataCache[dataKey] = data
        lock.unlock()
        return data
    }

    private func runData(_ p: DataParams, key: String, dir: URL) throws {
        let data = try DataStage.prepare(p.data)
        lock.lock()
        dataCache[key] = data
        lock.unlock()
        let out = DataOutput(fingerprint: data.fingerprint, source: data.source, trainCount: data.train.count,
                             testCount: data.test.count, classes: data.train.classes, features: data.train.inputs.columns)
        try AtomicWrite.write(try StableJSON.encode(out), to: dir.appendingPathComponent("data.json"))
        log("  data: \(data.train.count) train / \(data.test.count) test examples from \(data.source) (fingerprint \(data.fingerprint.prefix(12)))")
    }

    private func runTrain(_ p: TrainParams, stage: Stage, dir: URL) throws {
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
        var metricsText = ""
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
            metricsText += String(decoding: try StageKeys.canonicalJSON(m), as: UTF8.self) + "\n"
            try AtomicWrite.write(metricsText, to: dir.appendingPathComponent("metrics.jsonl"))
            let rate = Double(data.train.count) / max(m.seconds, 1e-9)
            log("  \(stage.name) epoch \(epoch)/\(p.train.epochs): train loss \(String(format: "%.4f", m.trainLoss)), test accuracy \(String(format: "%.4f", m.testAccuracy)), \(Int(rate)) samples/s" + (noise.map { String(format: ", noise %.3g", $0) } ?? ""))
            if p.checkpoints.contains(epoch) { try checkpoint(epoch) }
        }
        if p.train.epochs == 0 { try AtomicWrite.write("", to: dir.appendingPathComponent("metrics.jsonl")) }
    }

    private func runProbe(_ p: ProbeParams, stage: Stage, dir: URL) throws {
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
    }

    private func runEstimate(_ p: EstimateParams, stage: Stage, dir: URL) throws {
        let file = store.directory(stage.inputs[0]).appendingPathComponent("\(p.layer).npy")
        let points: FloatTensor = try NPY.decode(Data(contentsOf: file), name: file.path)
        let estimate: IDEstimate
        do {
            estimate = try IDEstimator.named(p.estimator, settings: p.settings).estimate(points, threads: BLAS.threads)
        } catch {
            throw StageFailure(stage: stage.name, reason: "\(error)")
        }
        let out = EstimateOutput(estimate: estimate, dimension: points.columns)
        try AtomicWrite.write(try StableJSON.encode(out), to: dir.appendingPathComponent("estimate.json"))
    }
}
