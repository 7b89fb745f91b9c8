import ArgumentParser
import Datasets
import Foundation
import NeuralNets
import Tensors

/// `accordion bench` (hidden; run by `make bench`): trains the reference network
/// 784 → 256×6 (ReLU) → 10 (He-normal, SGD lr 0.01 momentum 0.9, batch 64, Fashion-MNIST
/// pixels/255) at each thread count, then the same network in PyTorch from
/// `scripts/bench_torch.py`, and prints samples/s side by side with the fraction of the
/// single-core SGEMM peak measured in the same run.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the training engine against PyTorch on the reference network (used by make bench).",
        shouldDisplay: false)

    @Option(name: .customLong("threads"), help: "OpenBLAS thread counts to time (repeatable).")
    var threadCounts: [Int] = [1, 2]

    @Option(help: "Epochs to train at each thread count (samples/s is taken over all of them).")
    var epochs: Int = 1

    @Option(help: "Timed repetitions per thread count, on both sides; the fastest is reported.")
    var repeats: Int = 3

    @Option(help: "Training examples (the first N of Fashion-MNIST's 60,000).")
    var trainSize: Int = 60000

    @Option(help: "Directory of the Fashion-MNIST .gz files.")
    var data: String = FashionMNIST.defaultDirectory

    @Option(help: "Python with torch for the side-by-side run.")
    var python: String = ".venv-bench/bin/python"

    @Option(help: "The PyTorch side of the benchmark.")
    var script: String = "scripts/bench_torch.py"

    @Flag(help: "Skip the PyTorch run.")
    var noTorch = false

    @Option(help: "Model to train instead of the reference MLP: mlp, cnn or resnet<n> (e.g. resnet8); only mlp is compared with PyTorch.")
    var model: String = "mlp"

    @Option(help: "Base width of --model resnet<n> / first channels of cnn.")
    var width: Int = 16

    @Option(help: "Learning rate (default: 0.01 for mlp, 0.05 for cnn and resnet).")
    var lr: Double?

    @Option(help: "Batch size.")
    var batchSize: Int = 64

    @Flag(help: "Cosine learning-rate decay to 0 over the epochs (default: constant).")
    var cosine = false

    @Option(help: "SGD weight decay.")
    var weightDecay: Double = 0

    func run() throws {
        let train = try FashionMNIST.load(directory: data, split: "train")
        let test = try FashionMNIST.load(directory: data, split: "t10k")
        let n = min(trainSize, train.count)
        let inputs = n == train.count ? train.inputs : train.inputs.rows(0..<n)
        let labels = Array(train.labels.prefix(n))
        BLAS.setThreads(1)
        let peak = BenchMeasure.sgemmPeak()
        print("OpenBLAS core \(BLAS.coreName); single-core SGEMM peak \(String(format: "%.1f", peak)) GFLOP/s (2048³, best of 3)")
        print("training \(model) on \(n) Fashion-MNIST images, batch \(batchSize), \(epochs) epoch(s)")

        // Each thread count is timed on both sides back to back, so that a burst of load from
        // elsewhere on the machine is less likely to fall on one side only.
        var rows: [(threads: Int, rate: Double, accuracy: Double)] = []
        var torch: [Int: Double] = [:]
        for threads in threadCounts {
            BLAS.setThreads(threads)
            var best: (rate: Double, accuracy: Double) = (0, 0)
            for _ in 0..<max(1, repeats) {
                let result = try BenchMeasure.train(model: model, width: width, lr: lr, batchSize: batchSize,
                                                    epochs: epochs, cosine: cosine, weightDecay: weightDecay,
                                                    inputs: inputs, labels: labels, test: test,
                                                    log: { print("  [\(threads) thread\(threads == 1 ? "" : "s")] \($0)") })
                if result.rate > best.rate { best = result }
            }
            rows.append((threads, best.rate, best.accuracy))
            if model == "mlp" && !noTorch {
                torch.merge(BenchMeasure.torch(python: python, script: script, threads: [threads], trainSize: n,
                                               epochs: epochs, repeats: repeats, data: data)) { $1 }
            }
        }

        let flops = model == "mlp" ? BenchMeasure.referenceFlopsPerSample() : nil
        print("")
        let header = ["threads", "accordion samples/s", "test acc", "pytorch samples/s", "ratio", "GFLOP/s", "of threads × peak"]
        var table = [header]
        for r in rows {
            let t = torch[r.threads]
            let gflops = flops.map { r.rate * $0 / 1e9 }
            table.append([String(r.threads), String(format: "%.0f", r.rate), String(format: "%.4f", r.accuracy),
                          t.map { String(format: "%.0f", $0) } ?? "–", t.map { String(format: "%.2f×", r.rate / $0) } ?? "–",
                          gflops.map { String(format: "%.1f", $0) } ?? "–",
                          gflops.map { String(format: "%.0f %%", 100 * $0 / (peak * Double(r.threads))) } ?? "–"])
        }
        let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
        for row in table {
            print(row.enumerated().map { c, cell in String(repeating: " ", count: widths[c] - cell.count) + cell }
                .joined(separator: "  "))
        }
    }
}

/// The measurements behind ``Bench``.
enum BenchMeasure {
    /// Best GFLOP/s of a 2048³ SGEMM over three runs at the current thread count.
    static func sgemmPeak(size: Int = 2048) -> Double {
        // Any finite values do; a cheap pattern keeps the set-up out of the way.
        let values = (0..<(size * size)).map { Float(($0 &* 7919) % 1999) / 1999 - 0.5 }
        let a = FloatTensor(shape: [size, size], scalars: values)
        let b = FloatTensor(shape: [size, size], scalars: values.reversed())
        var c = FloatTensor(shape: [size, size])
        var best = 0.0
        for _ in 0..<4 {
            let start = DispatchTime.now().uptimeNanoseconds
            gemm(a, b, into: &c)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, 2 * pow(Double(size), 3) / seconds / 1e9)
        }
        return best
    }

    /// FLOPs per training example of the reference network: the forward GEMMs, the weight-gradient
    /// GEMMs, and the input-gradient GEMMs of every layer but the first.
    static func referenceFlopsPerSample() -> Double {
        let dims = [784] + Array(repeating: 256, count: 6) + [10]
        let macs = zip(dims, dims.dropFirst()).map { Double($0 * $1) }
        return 2 * (2 * macs.reduce(0, +) + macs.dropFirst().reduce(0, +))
    }

    static func build(model: String, width: Int, rng: inout RandomStream) throws -> Sequential {
        if model == "mlp" {
            return Architectures.mlp(inputs: 784, widths: Array(repeating: 256, count: 6), classes: 10, rng: &rng)
        }
        if model == "cnn" {
            return Architectures.cnn(inputShape: [1, 28, 28], channels: [width, 2 * width], hiddenWidths: [128],
                                     classes: 10, batchNorm: true, rng: &rng)
        }
        if model.hasPrefix("resnet"), let depth = Int(model.dropFirst(6)) {
            do {
                _ = try Architectures.resnetProbeNames(depth: depth, inputShape: [1, 28, 28], baseWidth: width)
            } catch {
                throw ValidationError("--model \(model): \(error)")
            }
            return Architectures.resnet(depth: depth, inputShape: [1, 28, 28], classes: 10, baseWidth: width, rng: &rng)
        }
        throw ValidationError("--model '\(model)' is not mlp, cnn or resnet<n> (e.g. resnet8)")
    }

    /// Trains a fresh, seeded model and returns samples/s over the training time (evaluation
    /// excluded) and the final test accuracy. A throwaway model first takes 20 steps, so
    /// first-call costs (buffer allocation, BLAS start-up) are not timed.
    static func train(model name: String, width: Int, lr: Double?, batchSize: Int, epochs: Int, cosine: Bool,
                      weightDecay: Double, inputs: FloatTensor, labels: [Int], test: LabeledSet,
                      log: (String) -> Void) throws -> (rate: Double, accuracy: Double) {
        let rate = lr ?? (name == "mlp" ? 0.01 : 0.05)
        var warmRNG = RandomStream(seed: 1, path: "bench/warm-up")
        let warm = try build(model: name, width: width, rng: &warmRNG)
        var warmTrainer = Trainer(batchSize: batchSize, shuffle: RandomStream(seed: 1, path: "bench/warm-up"))
        let warmRows = min(inputs.rows, 20 * batchSize)
        _ = try warmTrainer.trainEpoch(warm, optimizer: SGD(learningRate: rate, momentum: 0.9),
                                       inputs: inputs.rows(0..<warmRows), labels: Array(labels.prefix(warmRows)), epoch: 1)

        var rng = RandomStream(seed: 0, path: "bench/model")
        let model = try build(model: name, width: width, rng: &rng)
        let optimizer = SGD(learningRate: rate, momentum: 0.9, weightDecay: weightDecay)
        var trainer = Trainer(batchSize: batchSize, shuffle: RandomStream(seed: 0, path: "bench/shuffle"),
                              schedule: cosine ? LearningRateSchedule(baseLearningRate: rate, decay: .cosine, epochs: max(1, epochs)) : nil)
        var seconds = 0.0
        var accuracy = 0.0
        for epoch in 1...max(1, epochs) {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try trainer.trainEpoch(model, optimizer: optimizer, inputs: inputs, labels: labels, epoch: epoch)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            seconds += elapsed
            accuracy = Trainer.evaluate(model, inputs: test.inputs, labels: test.labels).accuracy
            log(String(format: "epoch %d: %.2f s, %.0f samples/s, train loss %.4f, test accuracy %.4f, RSS %.0f MiB",
                       epoch, elapsed, Double(inputs.rows) / elapsed, result.loss, accuracy, residentMiB()))
        }
        return (Double(inputs.rows * max(1, epochs)) / seconds, accuracy)
    }

    /// Resident set size from `/proc/self/statm` (0 where unavailable).
    static func residentMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    /// Samples/s of the PyTorch run by thread count; empty (with a note) if Python or torch is missing.
    static func torch(python: String, script: String, threads: [Int], trainSize: Int, epochs: Int, repeats: Int,
                      data: String) -> [Int: Double] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("note: \(python) not found; skipping PyTorch (create the venv with torch, safetensors, numpy)")
            return [:]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--threads"] + threads.map(String.init)
            + ["--train-size", String(trainSize), "--epochs", String(epochs), "--repeats", String(max(1, repeats)),
               "--data", data]
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            print("note: could not start \(python) \(script): \(error)")
            return [:]
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var rates: [Int: Double] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let t = object["threads"] as? Int, let r = object["samples_per_second"] as? Double else { continue }
            rates[t] = r
            let acc = (object["test_accuracy"] as? Double).map { String(format: "%.4f", $0) } ?? "?"
            print("  [pytorch \(object["torch"] as? String ?? "?"), \(t) thread\(t == 1 ? "" : "s")] \(String(format: "%.0f", r)) samples/s, test accuracy \(acc)")
        }
        if process.terminationStatus != 0 { print("note: \(script) exited with status \(process.terminationStatus)") }
        return rates
    }
}
