import ExperimentSpec
import Foundation
import ResultBundles

/// What recording every probe point costs: the same experiment run twice from an empty results
/// directory, once with `probe.layers: main` and once with `probe.layers: all`, with the seconds
/// of each kind of stage read off the run (`accordion bench-probes`, `make bench-probes`).
///
/// The experiment is the reference DeepNet (784 → 256 × `depth` (ReLU) → 10, SGD lr 0.01
/// momentum 0.9, batch 64) on Fashion-MNIST, probed at every epoch 0 … `epochs`. Stages run one at
/// a time (`jobs: 1`), each on one BLAS thread, so the stage seconds of the two runs compare.
public enum ProbeCostBenchmark {
    public struct Settings: Sendable {
        /// Hidden layers of the MLP.
        public var depth = 6
        public var width = 256
        /// Training epochs; every epoch 0 … `epochs` is probed.
        public var epochs = 5
        /// Training examples (nil: the whole split, 60,000).
        public var trainSize: Int?
        /// Test examples (nil: the whole split, 10,000).
        public var testSize: Int?
        /// Points of the probe set.
        public var probeSize = 2000
        /// Estimators run on every probe, as the `estimators:` mapping of a spec.
        public var estimators = "{pr: {}}"
        /// Runs of each probe set, alternating main and all; the fastest of each is reported.
        public var repeats = 1
        /// Directory of the Fashion-MNIST files (nil: the default location).
        public var dataPath: String?

        public init() {}
    }

    /// Stage seconds of one run, summed by kind.
    public struct Timing: Sendable {
        /// `main` or `all`.
        public var layers: String
        /// Layers recorded per probe.
        public var probedLayers: Int
        public var data: Double
        public var train: Double
        /// Every probe stage (the forward passes over the probe set and the activation files).
        public var probe: Double
        public var probeStages: Int
        public var estimate: Double
        public var estimateStages: Int
        /// The whole run by wall clock, including aggregate, claims and report.
        public var total: Double

        /// Training plus probing: what the probe points add to the training time.
        public var trainAndProbe: Double { train + probe }
    }

    /// The spec of one run, with `layers` (`main` or `all`) as its probe set.
    public static func yaml(layers: String, _ s: Settings) -> String {
        let data = ["dataset: fashion-mnist"] + (s.dataPath.map { ["path: \"\($0)\""] } ?? [])
            + (s.trainSize.map { ["train_size: \($0)"] } ?? []) + (s.testSize.map { ["test_size: \($0)"] } ?? [])
        return """
            name: bench-probes-\(layers)
            data: {\(data.joined(separator: ", "))}
            model: {depth: \(s.depth), width: \(s.width)}
            train: {lr: 0.01, momentum: 0.9, batch_size: 64, epochs: \(s.epochs), seed: 1}
            probe: {epochs: [\((0...max(0, s.epochs)).map(String.init).joined(separator: ", "))], size: \(s.probeSize), layers: \(layers)}
            estimators: \(s.estimators)
            execution: {jobs: 1, threads: 1}

            """
    }

    /// Runs the spec with `layers` in a fresh results directory (removed afterwards) and sums
    /// the seconds its stages took.
    public static func run(layers: String, _ s: Settings, log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Timing {
        let spec = try SpecLoader.load(data: Data(yaml(layers: layers, s).utf8), file: "bench-probes-\(layers).yaml",
                                       defaultName: "bench-probes")
        let graph = try StageGraph.compile(spec)
        let results = FileManager.default.temporaryDirectory.appendingPathComponent("accordion-bench-probes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: results) }
        let started = Date()
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, jobs: 1, useCache: false, log: log))
        let total = Date().timeIntervalSince(started)
        if let failure = summary.failures.first {
            throw BenchmarkFailure(message: "the \(layers) run failed: \(failure)")
        }
        var seconds: [StageKind: Double] = [:], counts: [StageKind: Int] = [:]
        for stage in graph.stages {
            guard case .done(let s)? = summary.outcomes[stage.key] else { continue }
            seconds[stage.kind, default: 0] += s
            counts[stage.kind, default: 0] += 1
        }
        return Timing(layers: layers, probedLayers: spec.points.first?.experiment.probedLayers.count ?? 0,
                      data: seconds[.data] ?? 0, train: seconds[.train] ?? 0,
                      probe: seconds[.probe] ?? 0, probeStages: counts[.probe] ?? 0,
                      estimate: seconds[.estimate] ?? 0, estimateStages: counts[.estimate] ?? 0, total: total)
    }

    /// Both runs, alternating `main` and `all` `repeats` times; the fastest (by training plus
    /// probing) of each.
    public static func compare(_ s: Settings, log: @escaping @Sendable (String) -> Void = { _ in },
                               each: (Timing) -> Void = { _ in }) throws -> (main: Timing, all: Timing) {
        var best: [String: Timing] = [:]
        for _ in 0..<max(1, s.repeats) {
            for layers in ["main", "all"] {
                let t = try run(layers: layers, s, log: log)
                each(t)
                if t.trainAndProbe < best[layers]?.trainAndProbe ?? .infinity { best[layers] = t }
            }
        }
        guard let main = best["main"], let all = best["all"] else { throw BenchmarkFailure(message: "no run completed") }
        return (main, all)
    }

    /// The two runs side by side, with the ratio all / main of each column.
    public static func table(main: Timing, all: Timing) -> [String] {
        func row(_ name: String, _ a: Double, _ b: Double) -> String {
            name.padding(toLength: 30, withPad: " ", startingAt: 0)
                + String(format: "%10.2f s %10.2f s %8.3f", a, b, a > 0 ? b / a : .nan)
        }
        return [
            String(repeating: " ", count: 30) + ["main", "all", "all/main"].enumerated().map { i, title in
                String(repeating: " ", count: max(0, [12, 13, 9][i] - title.count)) + title
            }.joined(),
            "layers per probe".padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%12d %12d", main.probedLayers, all.probedLayers),
            row("train", main.train, all.train),
            row("probe (\(main.probeStages) stages)", main.probe, all.probe),
            row("train + probe", main.trainAndProbe, all.trainAndProbe),
            row("estimate (\(main.estimateStages) / \(all.estimateStages) stages)", main.estimate, all.estimate),
            row("whole run (wall clock)", main.total, all.total),
            String(format: "probe stages: %.1f %% of the training time with every point, %.1f %% with the main points",
                   100 * all.probe / all.train, 100 * main.probe / main.train),
        ]
    }
}

/// A benchmark run that did not complete.
public struct BenchmarkFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
