import Datasets
import Foundation
import NeuralNets
import Synchronization
import Tensors

/// One timed training run.
public struct TrainingTiming: Sendable {
    /// Training examples per wall-clock second (evaluation excluded).
    public var samplesPerSecond: Double
    /// Training examples per second of process CPU time: at one thread, the rate the run would
    /// have had on a core of its own, whatever else the machine was doing.
    public var samplesPerCPUSecond: Double
    /// Test accuracy after the last epoch (nil without a test set).
    public var testAccuracy: Double?
    /// Resident memory after each epoch, in MiB.
    public var residentMiB: [Double]
}

/// Times training of a ``BenchmarkModel`` in this process.
public enum TrainingBenchmark {
    /// Optional training settings beyond the model's defaults (for accuracy runs).
    public struct Settings: Sendable {
        public var epochs = 1
        public var learningRate: Double?
        public var batchSize: Int?
        public var cosine = false
        public var weightDecay = 0.0
        public init() {}
    }

    /// Trains a fresh, seeded model for `settings.epochs` epochs on `train` and returns its rate.
    /// A throwaway model first takes 20 steps, so first-call costs (buffer allocation, BLAS
    /// start-up) are not timed.
    public static func run(_ spec: BenchmarkModel, train: LabeledSet, test: LabeledSet, settings: Settings = Settings(),
                           log: (String) -> Void = { _ in }) throws -> TrainingTiming {
        let lr = settings.learningRate ?? spec.learningRate
        let batch = settings.batchSize ?? spec.batchSize
        let epochs = max(1, settings.epochs)
        var warmRNG = RandomStream(seed: 1, path: "bench/warm-up")
        let warm = spec.build(rng: &warmRNG)
        var warmTrainer = Trainer(batchSize: batch, shuffle: RandomStream(seed: 1, path: "bench/warm-up"))
        let warmRows = min(train.inputs.rows, 20 * batch)
        _ = try warmTrainer.trainEpoch(warm, optimizer: SGD(learningRate: lr, momentum: 0.9),
                                       inputs: train.inputs.rows(0..<warmRows),
                                       labels: Array(train.labels.prefix(warmRows)), epoch: 1)

        var rng = RandomStream(seed: 0, path: "bench/model")
        let model = spec.build(rng: &rng)
        let optimizer = SGD(learningRate: lr, momentum: 0.9, weightDecay: settings.weightDecay)
        var trainer = Trainer(batchSize: batch, shuffle: RandomStream(seed: 0, path: "bench/shuffle"),
                              schedule: settings.cosine
                                  ? LearningRateSchedule(baseLearningRate: lr, decay: .cosine, epochs: epochs) : nil)
        var wall = 0.0, cpu = 0.0
        var accuracy: Double?
        var resident: [Double] = []
        let n = train.inputs.rows
        for epoch in 1...epochs {
            let (start, startCPU) = (Clock.wall(), Clock.processCPU())
            let result = try trainer.trainEpoch(model, optimizer: optimizer, inputs: train.inputs, labels: train.labels,
                                                epoch: epoch)
            let elapsed = Clock.wall() - start
            wall += elapsed
            cpu += Clock.processCPU() - startCPU
            if test.inputs.rows > 0 {
                accuracy = Trainer.evaluate(model, inputs: test.inputs, labels: test.labels).accuracy
            }
            resident.append(residentMiB())
            log(String(format: "epoch %d: %.2f s, %.0f samples/s, train loss %.4f, test accuracy %@, RSS %.0f MiB",
                       epoch, elapsed, Double(n) / elapsed, result.loss,
                       accuracy.map { String(format: "%.4f", $0) } ?? "–", resident.last ?? 0))
        }
        let samples = Double(n * epochs)
        return TrainingTiming(samplesPerSecond: samples / wall, samplesPerCPUSecond: samples / cpu,
                              testAccuracy: accuracy, residentMiB: resident)
    }

    /// Two independent trainings side by side, one BLAS thread each (what two concurrent stages
    /// of a sweep do): their combined examples per wall-clock second over one epoch each.
    public static func runPair(_ spec: BenchmarkModel, train: LabeledSet) throws -> Double {
        BLAS.useOneThread()
        let start = Clock.wall()
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            var rng = RandomStream(seed: UInt64(worker), path: "bench/pair")
            let model = spec.build(rng: &rng)
            var trainer = Trainer(batchSize: spec.batchSize, shuffle: RandomStream(seed: UInt64(worker), path: "bench/pair"))
            do {
                _ = try trainer.trainEpoch(model, optimizer: SGD(learningRate: spec.learningRate, momentum: 0.9),
                                           inputs: train.inputs, labels: train.labels, epoch: 1)
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        let elapsed = Clock.wall() - start
        // A training that stopped early did less than an epoch's work: no rate to report.
        if let error = failure.withLock({ $0 }) {
            throw BenchmarkError.invalid("\(spec.name): the two side-by-side trainings did not finish their epoch: \(error)")
        }
        return Double(2 * train.inputs.rows) / elapsed
    }

    /// Best GFLOP/s of a `size`³ SGEMM over four runs at the current thread count, by wall clock
    /// and by process CPU time (the two agree on a quiet machine).
    public static func sgemmPeak(size: Int = 2048) -> (wall: Double, cpu: Double) {
        // Any finite values do; a cheap pattern keeps the set-up out of the way.
        let values = (0..<(size * size)).map { Float(($0 &* 7919) % 1999) / 1999 - 0.5 }
        let a = FloatTensor(shape: [size, size], scalars: values)
        let b = FloatTensor(shape: [size, size], scalars: values.reversed())
        var c = FloatTensor(shape: [size, size])
        var best = (wall: 0.0, cpu: 0.0)
        let flops = 2 * pow(Double(size), 3)
        for _ in 0..<4 {
            let (start, startCPU) = (Clock.wall(), Clock.processCPU())
            gemm(a, b, into: &c)
            best.wall = max(best.wall, flops / (Clock.wall() - start) / 1e9)
            best.cpu = max(best.cpu, flops / (Clock.processCPU() - startCPU) / 1e9)
        }
        return best
    }

    /// Resident set size from `/proc/self/statm` (0 where unavailable).
    public static func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

/// Wall-clock and CPU-time readings in seconds.
enum Clock {
    static func wall() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// CPU time of the whole process (every BLAS thread included).
    static func processCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
