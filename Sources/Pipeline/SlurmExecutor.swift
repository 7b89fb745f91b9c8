import Foundation
import ResultBundles
import Tensors

/// Runs a stage graph as Slurm job arrays (see ``SlurmPlan``) and, unless asked not to, waits
/// for them and reads each stage's outcome from the shared store.
///
/// While it waits, it reports the run as ``StageEvent``s when the context has a sink for them
/// (see ``SlurmWatch``); without one, it logs a line of counts whenever more stages are done.
public struct SlurmExecutor: Executor {
    public var options: SlurmOptions
    /// Path of the `accordion` executable the tasks run (must be on a shared filesystem).
    public var executable: String

    public init(options: SlurmOptions, executable: String) {
        self.options = options
        self.executable = executable
    }

    public func execute(_ graph: StageGraph, store: StageStore, context: ExecutionContext) throws -> ExecutionReport? {
        let log = context.log
        for stage in graph.stages { try store.saveDefinition(stage) }
        // Entries that fail their checksums are set aside first, so the plan submits them again
        // instead of counting them as done.
        var cachedBefore = Set<String>()
        for stage in graph.stages {
            switch store.check(stage.key) {
            case .valid: cachedBefore.insert(stage.key)
            case .absent: break
            case .corrupt(let why):
                log("\(stage.name): the stored copy is unusable (\(why)); recomputing")
                try store.quarantine(stage.key)
            }
        }
        for stage in graph.stages where !cachedBefore.contains(stage.key) { store.clearFailure(stage.key) }
        let plan = SlurmPlan.make(graph: graph, store: store, results: context.resultsDirectory.standardizedFileURL,
                                  runID: context.runID,
                                  executable: URL(fileURLWithPath: executable).standardizedFileURL.path, options: options)
        try plan.write()
        if options.dryRun {
            for job in plan.jobs {
                let deps = job.dependencies.map { "\(plan.jobs[$0.job].name)[\($0.task)]" }
                log("# \(job.scriptURL.path)" + (deps.isEmpty ? "" : "  (after: \(deps.joined(separator: ", ")))") + "\n\(job.script)")
            }
            log("dry run: \(plan.jobs.count) job array\(plan.jobs.count == 1 ? "" : "s") written to \(plan.directory.path), nothing submitted")
            return nil
        }
        var ids: [String] = []
        if !plan.jobs.isEmpty {
            ids = try plan.submit()
            for (job, id) in zip(plan.jobs, ids) { log("submitted \(job.name) as job \(id) (\(job.keys.count) task\(job.keys.count == 1 ? "" : "s"))") }
        }
        try SlurmJobs(jobIDs: ids).write(to: context.resultsDirectory.appendingPathComponent(context.runID))
        if options.noWait {
            log("not waiting: `accordion status` on the bundle shows progress; `accordion run` on the same spec writes the bundle when the jobs are done")
            return nil
        }
        let resolver = StoreResolver(store: store)
        let watch = context.events.map { SlurmWatch(graph: graph, plan: plan, ids: ids, send: $0) }
        watch?.begin(cached: cachedBefore, maxParallel: options.maxParallel)
        var reported = -1
        var stuck: [String: QueuedTask] = [:]
        while true {
            let queue = Slurm.queue(ids)
            let queued = queue.mapValues(\.state)
            // A held task never starts by itself, nor do the tasks that wait for it: stop waiting.
            stuck = queue.filter { $0.value.isStuck }
            if !stuck.isEmpty { break }
            if let watch {
                watch.poll(queued) { resolver.outcome(of: $0).outcome }
            } else {
                let done = graph.stages.filter { store.isDone($0.key) }.count
                if done != reported {
                    log("[\(done) of \(graph.count) stages done (\(cachedBefore.count) cached); \(queued.count) Slurm task\(queued.count == 1 ? "" : "s") queued or running]")
                    reported = done
                }
            }
            if queued.isEmpty { break }
            Thread.sleep(forTimeInterval: options.pollInterval)
        }
        var heldNote: String?
        if !stuck.isEmpty {
            let tasks = stuck.keys.sorted()
            heldNote = "Slurm holds task\(tasks.count == 1 ? "" : "s") \(tasks.joined(separator: ", ")) (\(stuck[tasks[0]]?.reason ?? ""))"
            log("error: \(heldNote ?? ""): \(tasks.count == 1 ? "it does" : "they do") not start by "
                + "\(tasks.count == 1 ? "itself" : "themselves"), nor do the stages after \(tasks.count == 1 ? "it" : "them"). "
                + "A failed launch is described in the node's slurmd log. Release the jobs (`scontrol release "
                + "\(ids.joined(separator: ","))`) and run the same command again to collect the results, or cancel them "
                + "(`scancel \(ids.joined(separator: " "))`).")
        }
        let taskOf = heldNote == nil ? [:] : plan.tasks(jobIDs: ids)
        var outcomes: [String: StageOutcome] = [:]
        var keys: [String: String] = [:]
        for stage in graph.stages {
            if cachedBefore.contains(stage.key) { outcomes[stage.key] = .cached; continue }
            var (outcome, ranAs) = resolver.outcome(of: stage.key)
            if let heldNote, case .skipped = outcome {
                // The held task's own stage did not run through no fault of its inputs: a failure.
                if let task = taskOf[stage.key], let queued = Slurm.entry(of: task, in: stuck) {
                    outcome = .failed("Slurm holds its task \(task) (\(queued.reason)); release the job and run again")
                } else {
                    outcome = .skipped("not run: \(heldNote)")
                }
            }
            outcomes[stage.key] = outcome
            if ranAs != stage.key { keys[stage.key] = ranAs }
        }
        watch?.finish(outcomes)
        let executed = outcomes.values.filter { if case .done = $0 { return true } else { return false } }.count
        return ExecutionReport(outcomes: outcomes, keys: keys, executed: executed)
    }
}

/// `slurm.json` in a bundle: the ids of the job arrays a run submitted.
public struct SlurmJobs: JSONBundleFile, Sendable {
    public static let fileName = "slurm.json"
    public var jobIDs: [String]

    enum CodingKeys: String, CodingKey { case jobIDs = "job_ids" }
}

/// Reads the state of planned stages from the store alone, as another process left it:
/// done, failed (with the recorded reason), or not run; stages that tolerate missing inputs are
/// resolved to the key they ran under.
struct StoreResolver {
    let store: StageStore

    func state(of key: String) -> InputState {
        if store.isDone(key) { return .available(key) }
        guard let definition = try? store.definition(key) else { return .missing(.skipped, "not run: no definition in the store") }
        var target = key
        if definition.kind.toleratesMissingInputs, let stage = try? definition.stage(),
           let resolved = try? stage.resolved({ state(of: $0) }, nameOf: { (try? store.definition($0))?.name ?? $0 }) {
            target = resolved.key
            if store.isDone(target) { return .available(target) }
        }
        if let f = store.failure(target) { return .missing(.failed, f.reason + (f.log.map { " (log: \($0))" } ?? "")) }
        return .missing(.skipped, "not run: a job it depends on failed and Slurm cancelled it")
    }

    /// How a stage ended, once its task has left the queue, and the key it ran under.
    func outcome(of key: String) -> (outcome: StageOutcome, ranAs: String) {
        switch state(of: key) {
        case .available(let ranAs): return (.done(seconds: store.result(ranAs)?.seconds ?? 0), ranAs)
        case .missing(.failed, let why): return (.failed(why), key)
        case .missing(_, let why): return (.skipped(why), key)
        }
    }
}
