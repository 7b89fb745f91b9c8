import ArgumentParser
import Datasets
import Dimensionality
import Foundation
import Tensors

/// The Accordion side of `make bench-estimators`: times estimators and prints one JSON object
/// per line for `scripts/bench-estimators.py` to set beside scikit-dimension and dadapy.
struct BenchEstimators: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-estimators",
        abstract: "Time the intrinsic-dimension estimators (JSON lines; used by make bench-estimators).",
        shouldDisplay: false)

    @Option(help: "Fashion-MNIST training images to use (the first N; 0 skips).")
    var fashion: Int = 4000

    @Option(help: "Further .npy point sets to time (repeatable).")
    var reference: [String] = []

    @Option(name: .customLong("estimator"), help: "Estimators to time (repeatable).")
    var estimators: [String] = ["pr", "pca", "twonn:resamples=0", "mle:k=20,resamples=0", "local_pca:rule=fo,alpha=0.05", "corrdim"]

    @Option(help: "Timed runs per estimator (the median is reported); runs stop early past 3 s.")
    var repeats: Int = 5

    @Option(help: "Worker threads.")
    var threads: Int = 1

    func run() throws {
        BLAS.useOneThread()
        let chosen = try estimators.map { try IDEstimator.parse($0) }
        var sets: [(String, FloatTensor?, DoubleTensor?)] = []
        if fashion > 0 {
            let all = try FashionMNIST.load(split: "train").inputs
            let n = min(fashion, all.rows)
            sets.append(("fashion-mnist-\(n)", n == all.rows ? all : all.rows(0..<n), nil))
        }
        for path in reference {
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            sets.append((name, nil, try NPY.readDouble(URL(fileURLWithPath: path))))
        }
        for (name, f, d) in sets {
            for (text, estimator) in zip(estimators, chosen) {
                var seconds: [Double] = []
                var last: IDEstimate?
                let clock = ContinuousClock()
                while seconds.count < max(1, repeats) && seconds.reduce(0, +) < 3 {
                    let start = clock.now
                    if let f { last = try estimator.estimate(f, threads: threads) }
                    if let d { last = try estimator.estimate(d, threads: threads) }
                    let t = clock.now - start
                    seconds.append(Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18)
                }
                guard let result = last else { continue }
                let sorted = seconds.sorted()
                var line: [String: Any] = [
                    "dataset": name, "estimator": estimator.name, "spec": text, "value": result.value,
                    "points": result.points, "threads": threads, "runs": seconds.count,
                    "seconds_median": sorted[sorted.count / 2], "seconds_min": sorted[0],
                    "peak_rss_mb": peakResidentMegabytes(), "flavour": result.flavour,
                ]
                if let bar = result.errorBar { line["error_bar"] = bar }
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
        }
    }
}

/// The peak resident set size of this process in MiB (`VmHWM` of /proc/self/status), or the
/// `getrusage` maximum where /proc is absent.
func peakResidentMegabytes() -> Double {
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
       let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kb = Double(line.split(separator: " ").dropFirst().first { Double($0) != nil } ?? "") {
        return kb / 1024
    }
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_maxrss) / 1024
}
