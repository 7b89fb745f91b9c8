import ArgumentParser
import Benchmarks
import Datasets
import Foundation
import Tensors
import NeuralNets

/// `accordion bench` (hidden; run by `make bench`): trains each benchmark model at each thread
/// count here and in PyTorch (`scripts/bench_torch.py`) back to back, and prints samples/s side by
/// side with the fraction of the single-core SGEMM peak measured in the same run. The models and
/// timing live in the `Benchmarks` module; this command parses and prints.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the training engine against PyTorch (used by make bench).",
        shouldDisplay: false)

    @Option(name: .customLong("models"), parsing: .upToNextOption,
            help: "Models to time: mlp, cnn, resnet<n>, resnet<n>-cifar (synthetic 3×32×32 input).")
    var models: [String] = ["mlp", "cnn", "resnet8", "resnet20-cifar"]

    @Option(help: "One model to time instead of --models (kept for older command lines).")
    var model: String?

    @Option(name: .customLong("threads"), help: "Thread counts to time (repeatable): the engine splits each batch across them.")
    var threadCounts: [Int] = [1, 2]

    @Flag(help: "Skip the row of two single-thread trainings side by side.")
    var noPairs = false

    @Option(help: "Epochs per timed run (samples/s is taken over all of them).")
    var epochs: Int = 1

    @Option(help: "Timed repetitions per thread count, on both sides; the fastest is reported.")
    var repeats: Int = 3

    @Option(help: "Training examples per run (default: 60,000 for mlp, fewer for the convolutional models).")
    var trainSize: Int?

    @Option(help: "Directory of the Fashion-MNIST .gz files.")
    var data: String = FashionMNIST.defaultDirectory

    @Option(help: "Python with torch for the side-by-side run.")
    var python: String = ".venv-bench/bin/python"

    @Option(help: "The PyTorch side of the benchmark.")
    var script: String = "scripts/bench_torch.py"

    @Flag(help: "Skip the PyTorch runs.")
    var noTorch = false

    @Option(help: "Base width of the convolutional models.")
    var width: Int = 16

    @Option(help: "Learning rate (default: 0.01 for mlp, 0.05 for the others).")
    var lr: Double?

    @Option(help: "Batch size (default: 64 for mlp, 128 for the others).")
    var batchSize: Int?

    @Flag(help: "Cosine learning-rate decay to 0 over the epochs (default: constant).")
    var cosine = false

    @Option(help: "SGD weight decay.")
    var weightDecay: Double = 0

    @Flag(help: "Also print the table as Markdown.")
    var markdown = false

    func run() throws {
        var specs: [BenchmarkModel] = []
        do {
            specs = try (model.map { [$0] } ?? models).map { try BenchmarkModel.named($0, width: width) }
        } catch {
            throw ValidationError("\(error)")
        }
        if let batchSize { for i in specs.indices { specs[i].batchSize = batchSize } }
        if let lr { for i in specs.indices { specs[i].learningRate = lr } }
        var settings = TrainingBenchmark.Settings()
        (settings.epochs, settings.cosine, settings.weightDecay) = (epochs, cosine, weightDecay)

        BLAS.useOneThread()
        let peak = TrainingBenchmark.sgemmPeak()
        print("\(BLAS.configuration); core \(BLAS.coreName); direct convolution kernel \(Conv2D.directKernelName)")
        print(String(format: "single-core SGEMM peak %.1f GFLOP/s by wall clock, %.1f by CPU time (2048³, best of 4)",
                     peak.wall, peak.cpu))
        let torch = TorchPeer(python: python, script: script, data: data)
        let useTorch = !noTorch && torch.available.ok
        if !noTorch && !useTorch { print("note: \(torch.available.why)") }

        var rows: [BenchRow] = []
        for spec in specs {
            let (train, test) = try spec.data(trainSize: trainSize ?? spec.defaultTrainSize, directory: data)
            var rng = RandomStream(seed: 0, path: "bench/flops")
            let flops = spec.build(rng: &rng).trainingFlopsPerExample
            print("\(spec.name): \(train.inputs.rows) \(spec.synthetic ? "synthetic" : "Fashion-MNIST") examples, batch \(spec.batchSize), \(String(format: "%.2f", flops / 1e6)) MFLOP per example")
            // Each thread count is timed on both sides back to back, so that a burst of load from
            // elsewhere on the machine is less likely to fall on one side only.
            for threads in threadCounts {
                var best: TrainingTiming?
                for _ in 0..<max(1, repeats) {
                    let timing = try Parallelism.withWorkers(threads) {
                        try TrainingBenchmark.run(spec, train: train, test: test, settings: settings) {
                            print("  [\(threads) thread\(threads == 1 ? "" : "s")] \($0)")
                        }
                    }
                    if timing.samplesPerSecond > best?.samplesPerSecond ?? 0 { best = timing }
                }
                guard let best else { continue }
                let peer = useTorch
                    ? torch.time(spec, threads: [threads], trainSize: train.inputs.rows, testSize: test.inputs.rows,
                                 epochs: epochs, repeats: repeats, note: { print("note: \($0)") })[threads] : nil
                if let peer {
                    print("  [pytorch \(peer.version), \(threads) thread\(threads == 1 ? "" : "s")] \(String(format: "%.0f", peer.samplesPerSecond)) samples/s")
                }
                rows.append(BenchRow(model: spec.name, threads: String(threads), cores: threads,
                                     accordion: best.samplesPerSecond, accordionPerCPUSecond: best.samplesPerCPUSecond,
                                     torch: peer?.samplesPerSecond, torchPerCPUSecond: peer?.samplesPerCPUSecond,
                                     flopsPerExample: flops, accuracy: best.testAccuracy, torchAccuracy: peer?.testAccuracy))
            }
            if !noPairs {
                let pair = try TrainingBenchmark.runPair(spec, train: train)
                print("  [2 × 1 thread] \(String(format: "%.0f", pair)) samples/s together")
                rows.append(BenchRow(model: spec.name, threads: "2×1", cores: 2, accordion: pair, flopsPerExample: flops))
            }
        }
        print("")
        BenchTable.text(rows, peak: peak.wall).forEach { print($0) }
        if markdown {
            print("")
            BenchTable.markdown(rows, peak: peak.wall).forEach { print($0) }
        }
    }
}
