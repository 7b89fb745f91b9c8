import Foundation
import ResultBundles
import Tensors

/// One stage run by key in its own process, as a Slurm array task (or a user by hand) runs it.
public enum SlurmTask {
    /// Runs the stage `key` from the store under `results`; returns the process exit status.
    ///
    /// On failure the reason and the log path are recorded in the store, so the submitting run
    /// and `accordion status` can name them.
    public static func run(key: String, results: URL, threads: Int, logPath: String?,
                           log: @escaping @Sendable (String) -> Void) -> Int32 {
        let store = StageStore(root: results.appendingPathComponent(".store"))
        var stage: Stage
        do {
            stage = try store.definition(key).stage()
            let resolver = StoreResolver(store: store)
            stage = try stage.resolved({ resolver.state(of: $0) }, nameOf: { (try? store.definition($0))?.name ?? $0 })
        } catch {
            log("error: no stage \(key) in \(store.root.path): \(error)")
            return 2
        }
        let outcome = StageWorker(store: store, log: log, threads: threads).compute(stage)
        switch outcome {
        case .done, .cached:
            store.clearFailure(stage.key)
            log("\(stage.name): \(outcome.status.rawValue)")
            return 0
        case .failed(let why), .skipped(let why):
            do {
                try store.recordFailure(StageFailureRecord(key: stage.key, name: stage.name, reason: why, log: logPath))
            } catch {
                log("warning: could not record the failure in the store: \(error)")
            }
            log("error: stage \(stage.name) failed: \(why)")
            return 1
        }
    }

    /// One stage's state as `accordion status` shows it.
    public struct StageState: Sendable, Equatable {
        public var name: String
        public var kind: StageKind
        /// `done`, `failed`, `pending`, `skipped`, or the Slurm queue state in lower case.
        public var state: String
        /// Why it failed, and where its log is.
        public var detail: String?
    }

    /// Each stage of a bundle with its state: done, failed (with reason), or its Slurm state.
    public static func status(bundle: BundleReader, results: URL) throws -> [StageState] {
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let slurmFile = bundle.layout.root.appendingPathComponent(SlurmJobs.fileName)
        let jobIDs = FileManager.default.fileExists(atPath: slurmFile.path) ? try SlurmJobs.read(file: slurmFile).jobIDs : []
        let queue = Slurm.queue(jobIDs)
        // Map each pending stage to its array task through the key lists.
        var taskOf: [String: String] = [:]
        let slurmDir = results.appendingPathComponent(".slurm").appendingPathComponent(bundle.layout.root.lastPathComponent)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: slurmDir.path)) ?? []
        for (i, id) in jobIDs.enumerated() {
            guard let list = files.first(where: { $0.hasPrefix("accordion-\(i)-") && $0.hasSuffix(".keys") }),
                  let text = try? String(contentsOf: slurmDir.appendingPathComponent(list), encoding: .utf8) else { continue }
            for (t, key) in text.split(separator: "\n").enumerated() { taskOf[String(key)] = "\(id)_\(t)" }
        }
        return bundle.manifest.stages.map { s in
            if store.isDone(s.key) { return StageState(name: s.name, kind: s.kind, state: "done") }
            if let f = store.failure(s.key) {
                return StageState(name: s.name, kind: s.kind, state: "failed", detail: f.reason + (f.log.map { " (log: \($0))" } ?? ""))
            }
            if let task = taskOf[s.key], let queued = Slurm.entry(of: task, in: queue) {
                if queued.isStuck { return StageState(name: s.name, kind: s.kind, state: "held", detail: queued.reason) }
                return StageState(name: s.name, kind: s.kind, state: queued.state.lowercased())
            }
            if s.status == .failed || s.status == .skipped {
                return StageState(name: s.name, kind: s.kind, state: s.status.rawValue, detail: s.error)
            }
            return StageState(name: s.name, kind: s.kind, state: "pending")
        }
    }
}
