import Foundation
import Tensors

/// What `scripts/bench_torch.py` reported for one thread count.
public struct TorchTiming: Sendable {
    public var threads: Int
    public var samplesPerSecond: Double
    public var samplesPerCPUSecond: Double?
    public var testAccuracy: Double?
    public var version: String
}

/// Runs the PyTorch side of the benchmark: `python script --threads t … ` with the model's
/// arguments, one JSON object per thread count on standard output.
public struct TorchPeer: Sendable {
    public var python: String
    public var script: String
    public var data: String

    public init(python: String, script: String, data: String) {
        self.python = python
        self.script = script
        self.data = data
    }

    /// Whether the interpreter exists; when not, `why` says what to do.
    public var available: (ok: Bool, why: String) {
        if FileManager.default.isExecutableFile(atPath: python) { return (true, "") }
        return (false, "\(python) not found; skipping PyTorch (make bench creates it: python3 -m venv .venv-bench && .venv-bench/bin/pip install torch numpy)")
    }

    /// Timings by thread count; empty, with `note` called, if the run fails.
    public func time(_ model: BenchmarkModel, threads: [Int], trainSize: Int, testSize: Int, epochs: Int, repeats: Int,
                     note: (String) -> Void) -> [Int: TorchTiming] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--threads"] + threads.map(String.init) + model.torchArguments
            + ["--train-size", String(trainSize), "--test-size", String(testSize), "--epochs", String(epochs),
               "--repeats", String(max(1, repeats)), "--data", data]
        process.environment = BLAS.withoutPinnedCore(ProcessInfo.processInfo.environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            note("could not start \(python) \(script): \(error)")
            return [:]
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 { note("\(script) exited with status \(process.terminationStatus)") }
        var timings: [Int: TorchTiming] = [:]
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            if let timing = Self.parse(line) { timings[timing.threads] = timing }
        }
        return timings
    }

    /// One output line of the script, or nil if it is not a timing.
    static func parse(_ line: Substring) -> TorchTiming? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let threads = object["threads"] as? Int, let rate = object["samples_per_second"] as? Double else { return nil }
        return TorchTiming(threads: threads, samplesPerSecond: rate,
                           samplesPerCPUSecond: object["samples_per_cpu_second"] as? Double,
                           testAccuracy: object["test_accuracy"] as? Double,
                           version: object["torch"] as? String ?? "?")
    }
}
