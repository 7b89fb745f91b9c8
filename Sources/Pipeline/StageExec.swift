import Foundation
import Tensors

/// Executes one stored stage by key, as a Slurm array task (or by hand) does.
public enum StageExec {
    /// Runs the stage `key` from the store under `results`; returns the process exit status.
    ///
    /// On failure the reason and the log path are recorded in the store, so the submitting run
    /// and `accordion status` can name them.
    public static func run(key: String, results: URL, threads: Int, logPath: String?,
                           log: @escaping @Sendable (String) -> Void) -> Int32 {
        BLAS.setThreads(threads)
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let stage: Stage
        do {
            stage = try store.definition(key).stage()
        } catch {
            log("error: no stage \(key) in \(store.root.path): \(error)")
            return 2
        }
        let outcome = StageRunner.run(stage, store: store, executor: StageExecutor(store: store, log: log), log: log)
        switch outcome {
        case .done, .cached:
            store.clearFailure(key)
            log("\(stage.name): \(outcome.status)")
            return 0
        case .failed(let why), .skipped(let why):
            try? store.recordFailure(StageFailureRecord(key: key, name: stage.name, reason: why, log: logPath))
            log("error: stage \(stage.name) failed: \(why)")
            return 1
        }
    }

    /// Each stage of a bundle with its state: done, failed (with reason), or its Slurm state.
    public static func status(bundle: URL, results: URL) throws -> [(name: String, state: String)] {
        let data = try Data(contentsOf: bundle.appendingPathComponent("bundle.json"))
        guard let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let stages = manifest["stages"] as? [[String: Any]] else { return [] }
        let store = StageStore(root: results.appendingPathComponent(".store"))
        var jobIDs: [String] = []
        if let s = try? Data(contentsOf: bundle.appendingPathComponent("slurm.json")),
           let o = try? JSONSerialization.jsonObject(with: s) as? [String: Any] {
            jobIDs = o["job_ids"] as? [String] ?? []
        }
        let queue = Slurm.queueStates(jobIDs)
        // Map each pending stage to its array task through the key lists.
        var taskOf: [String: String] = [:]
        let slurmDir = results.appendingPathComponent(".slurm").appendingPathComponent(bundle.lastPathComponent)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: slurmDir.path)) ?? []
        for (i, id) in jobIDs.enumerated() {
            guard let list = files.first(where: { $0.hasPrefix("accordion-\(i)-") && $0.hasSuffix(".keys") }),
                  let text = try? String(contentsOf: slurmDir.appendingPathComponent(list), encoding: .utf8) else { continue }
            for (t, key) in text.split(separator: "\n").enumerated() { taskOf[String(key)] = "\(id)_\(t)" }
        }
        return stages.map { s in
            let key = s["key"] as? String ?? ""
            let name = s["name"] as? String ?? key
            if store.isDone(key) { return (name, "done") }
            if let f = store.failure(key) { return (name, "failed: \(f.reason)" + (f.log.map { " (log: \($0))" } ?? "")) }
            if let task = taskOf[key], let state = queue[task] ?? queue[task.split(separator: "_").first.map(String.init) ?? ""] {
                return (name, state.lowercased())
            }
            if let recorded = s["status"] as? String, recorded == "failed" || recorded == "skipped" {
                return (name, "\(recorded): \(s["error"] as? String ?? "")")
            }
            return (name, "pending")
        }
    }
}
