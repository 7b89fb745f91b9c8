import ArgumentParser
import Foundation
import Pipeline

/// `accordion bench-probes` (hidden; run by `make bench-probes`): what `probe.layers: all` costs
/// against `probe.layers: main` on the 6 × 256 DeepNet, in one invocation, side by side.
struct BenchProbes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-probes",
        abstract: "Time training and probing with probe.layers main and all, side by side (used by make bench-probes).",
        shouldDisplay: false)

    @Option(help: "Training epochs; every epoch from 0 to this is probed.")
    var epochs: Int = 5

    @Option(help: "Training examples (default: all 60,000); smaller for a quick run.")
    var trainSize: Int?

    @Option(help: "Test examples (default: all 10,000).")
    var testSize: Int?

    @Option(help: "Points in the probe set.")
    var probeSize: Int = 2000

    @Option(help: "Hidden layers of the MLP.")
    var depth: Int = 6

    @Option(help: "Width of every hidden layer.")
    var width: Int = 256

    @Option(help: "The spec's estimators mapping, run on every probe.")
    var estimators: String = "{pr: {}}"

    @Option(help: "Runs of each probe set, alternating; the fastest of each is reported.")
    var repeats: Int = 1

    @Option(help: "Directory of the Fashion-MNIST .gz files (default: the dataset's location).")
    var data: String?

    func run() throws {
        var s = ProbeCostBenchmark.Settings()
        (s.epochs, s.trainSize, s.testSize, s.probeSize) = (epochs, trainSize, testSize, probeSize)
        (s.depth, s.width, s.estimators, s.repeats, s.dataPath) = (depth, width, estimators, repeats, data)
        print("784 → \(width) × \(depth) → 10 on Fashion-MNIST (\(trainSize.map(String.init) ?? "60000") training images), "
              + "\(epochs) epoch\(epochs == 1 ? "" : "s"), probes at epochs 0…\(epochs) on \(probeSize) test images, estimators \(estimators); "
              + "one stage at a time, one BLAS thread")
        let result: (main: ProbeCostBenchmark.Timing, all: ProbeCostBenchmark.Timing)
        do {
            result = try ProbeCostBenchmark.compare(s, each: { t in
                print(String(format: "  probe.layers: %@ — train %.2f s, probe %.2f s, estimate %.2f s, run %.2f s",
                             t.layers, t.train, t.probe, t.estimate, t.total))
            })
        } catch let error as BenchmarkFailure {
            throw ValidationError(error.message)
        }
        print("")
        ProbeCostBenchmark.table(main: result.main, all: result.all).forEach { print($0) }
    }
}
