import Foundation
import ResultBundles
import Tensors

/// Options of the Slurm executor (`accordion run --executor slurm`).
public struct SlurmOptions: Sendable {
    public var partition: String?
    public var time: String?
    public var cpusPerTask: Int
    public var mem: String?
    /// Array tasks of one job running at once (`--array=…%K`).
    public var maxParallel: Int
    /// Write and print the scripts without submitting.
    public var dryRun: Bool
    /// Return after submitting instead of waiting for the jobs and writing the bundle.
    public var noWait: Bool
    /// Seconds between polls while waiting.
    public var pollInterval: Double

    public init(partition: String? = nil, time: String? = nil, cpusPerTask: Int = 1, mem: String? = nil,
                maxParallel: Int = 0, dryRun: Bool = false, noWait: Bool = false, pollInterval: Double = 1) {
        self.partition = partition
        self.time = time
        self.cpusPerTask = cpusPerTask
        self.mem = mem
        self.maxParallel = maxParallel
        self.dryRun = dryRun
        self.noWait = noWait
        self.pollInterval = pollInterval
    }
}

/// A failed stage's record, written by `accordion stage exec` beside the store.
public struct StageFailureRecord: Codable, Sendable {
    public var key: String
    public var name: String
    public var reason: String
    public var log: String?
}

/// Compiles a stage graph to Slurm job arrays and submits them with `sbatch`.
///
/// Pending stages are grouped into arrays by kind and by the train stage they descend from: one
/// array of data stages, one of train stages, and per train stage one array of its probes and one
/// of their estimates. Each array depends (`--dependency=afterok:<job>_<task>:…`) on exactly the
/// array tasks that compute its inputs, with `--kill-on-invalid-dep=yes`, so a failed task cancels
/// its own dependants — never another run point's — and nothing is left pending forever. Arrays
/// are throttled with `%K`. Each task runs `accordion stage exec <key>` against the shared results
/// directory, so outputs land in the same content-addressed store the local executor uses.
/// Cached stages are not submitted.
public struct SlurmPlan: Sendable {
    public struct Job: Sendable {
        public var name: String
        public var keys: [String]
        public var script: String
        public var scriptURL: URL
        /// (index of an earlier job in the plan, array task) pairs this job waits for.
        public var dependencies: [(job: Int, task: Int)]
        /// Whether the job's stages run when some inputs failed (aggregate, claims, report).
        public var tolerant: Bool
        /// sbatch options whose values cannot stand in an `#SBATCH` line (see ``ShellQuoting``).
        public var sbatchArguments: [String] = []
    }
    public var jobs: [Job]
    public var directory: URL

    /// The array task (`<job id>_<index>`) each stage key runs as, for jobs submitted as `jobIDs`.
    func tasks(jobIDs: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for (job, id) in zip(jobs, jobIDs) {
            for (t, key) in job.keys.enumerated() { out[key] = "\(id)_\(t)" }
        }
        return out
    }

    /// Groups pending stages into arrays, in an order where every dependency comes first.
    static func groups(_ graph: StageGraph, pending: Set<String>) -> [[Stage]] {
        // The train stage each probe/estimate descends from.
        var anchor: [String: String] = [:]
        for s in graph.stages {
            switch s.kind {
            case .data, .aggregate, .claims, .report: break
            case .train, .importActivations: anchor[s.key] = s.key
            case .probe, .estimate: anchor[s.key] = s.inputs.compactMap { anchor[$0] }.first
            }
        }
        var order: [String] = []
        var members: [String: [Stage]] = [:]
        let rank: [StageKind: Int] = [.data: 0, .train: 1, .importActivations: 1, .probe: 2, .estimate: 3, .aggregate: 4, .claims: 5, .report: 6]
        for s in graph.stages where pending.contains(s.key) {
            let id = s.kind == .probe || s.kind == .estimate ? "\(s.kind.rawValue)/\(anchor[s.key] ?? "")" : s.kind.rawValue
            if members[id] == nil { order.append(id) }
            members[id, default: []].append(s)
        }
        order.sort { rank[members[$0]![0].kind]! < rank[members[$1]![0].kind]! }
        return order.map { members[$0]! }
    }

    /// Builds the scripts for the stages not yet in the store.
    static func make(graph: StageGraph, store: StageStore, results: URL, runID: String, executable: String,
                     options: SlurmOptions) -> SlurmPlan {
        let pending = Set(graph.stages.map(\.key).filter { !store.isDone($0) })
        let directory = results.appendingPathComponent(".slurm").appendingPathComponent(runID)
        var jobs: [Job] = []
        var location: [String: (job: Int, task: Int)] = [:]
        for (i, group) in groups(graph, pending: pending).enumerated() {
            let kind = group[0].kind.rawValue
            let name = "accordion-\(i)-\(kind)"
            var dependencies: [(job: Int, task: Int)] = []
            for stage in group {
                for input in stage.inputs {
                    if let at = location[input], !dependencies.contains(where: { $0 == at }) { dependencies.append(at) }
                }
            }
            for (t, stage) in group.enumerated() { location[stage.key] = (i, t) }
            let throttle = options.maxParallel > 0 ? "%\(options.maxParallel)" : ""
            let logs = directory.appendingPathComponent("logs").path
            var commandLine: [String] = []
            var lines = ["#!/bin/bash",
                         "#SBATCH --job-name=\(name)",
                         "#SBATCH --array=0-\(group.count - 1)\(throttle)"]
            // A results path with `%` would also be read as a Slurm file-name pattern: %% is a literal %.
            lines += [directive("output", logs.replacingOccurrences(of: "%", with: "%%") + "/\(name)-%A_%a.out", commandLine: &commandLine),
                      "#SBATCH --cpus-per-task=\(options.cpusPerTask)",
                      "#SBATCH --kill-on-invalid-dep=yes"].compactMap { $0 }
            if let p = options.partition, let line = directive("partition", p, commandLine: &commandLine) { lines.append(line) }
            if let t = options.time, let line = directive("time", t, commandLine: &commandLine) { lines.append(line) }
            if let m = options.mem, let line = directive("mem", m, commandLine: &commandLine) { lines.append(line) }
            if !commandLine.isEmpty {
                lines.append("# sbatch is given \(commandLine.count) option\(commandLine.count == 1 ? "" : "s") on its command line: their values cannot be written in an #SBATCH line")
            }
            // Every interpolated value is single-quoted: a results path such as 'R$(touch x)'
            // reaches accordion as written and is never expanded by bash.
            let quotedName = ShellQuoting.quoted(name)
            lines += [
                "# \(group.count) \(kind) stage\(group.count == 1 ? "" : "s"): " + group.prefix(3).map(\.name).joined(separator: ", ")
                    .replacingOccurrences(of: "\n", with: " ") + (group.count > 3 ? ", …" : ""),
                "# submitted with --dependency=\(group[0].kind.toleratesMissingInputs ? "afterany" : "afterok") on the array tasks that compute its inputs",
                "set -euo pipefail",
                "export OPENBLAS_NUM_THREADS=\(options.cpusPerTask)",
                "KEY=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \(ShellQuoting.quoted(directory.path + "/" + name + ".keys")))",
                "exec \(ShellQuoting.quoted(executable)) stage exec \"$KEY\" --results \(ShellQuoting.quoted(results.path)) --threads \(options.cpusPerTask) \\",
                "    --log \(ShellQuoting.quoted(logs + "/"))\(quotedName)\"-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.out\"",
            ]
            jobs.append(Job(name: name, keys: group.map(\.key), script: lines.joined(separator: "\n") + "\n",
                            scriptURL: directory.appendingPathComponent("\(name).sbatch"), dependencies: dependencies,
                            tolerant: group[0].kind.toleratesMissingInputs, sbatchArguments: commandLine))
        }
        return SlurmPlan(jobs: jobs, directory: directory)
    }

    /// Writes the scripts and key lists.
    func write() throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        for job in jobs {
            try AtomicWrite.write(job.script, to: job.scriptURL)
            try AtomicWrite.write(job.keys.joined(separator: "\n") + "\n",
                                  to: directory.appendingPathComponent("\(job.name).keys"))
        }
    }

    /// The `--dependency` argument of job `i` once earlier jobs have ids.
    func dependencyArgument(_ i: Int, ids: [String]) -> String? {
        let deps = jobs[i].dependencies.map { "\(ids[$0.job])_\($0.task)" }
        // Stages that tolerate missing inputs start once their inputs have ended, however they ended.
        let condition = jobs[i].tolerant ? "afterany" : "afterok"
        return deps.isEmpty ? nil : "--dependency=\(condition):" + deps.joined(separator: ":")
    }

    /// Submits the arrays in order; returns the job ids.
    func submit() throws -> [String] {
        var ids: [String] = []
        for (i, job) in jobs.enumerated() {
            var args = ["--parsable"] + job.sbatchArguments
            if let dep = dependencyArgument(i, ids: ids) { args.append(dep) }
            args.append(job.scriptURL.path)
            let out = try Slurm.command("sbatch", args)
            guard let id = out.split(separator: ";").first.map({ String($0).trimmingCharacters(in: .whitespacesAndNewlines) }),
                  !id.isEmpty else {
                throw StageFailure(stage: job.name, reason: "sbatch printed no job id: \(out)")
            }
            ids.append(id)
        }
        return ids
    }
}

/// Running Slurm's client commands.
public enum Slurm {
    /// Runs a Slurm command and returns its standard output; throws with its standard error.
    static func command(_ name: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [name] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch {
            throw StageFailure(stage: "slurm", reason: "cannot run \(name): \(error); is Slurm installed and on PATH?")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw StageFailure(stage: "slurm", reason: "\(name) \(arguments.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The given jobs' tasks still known to the controller (`squeue`), with Slurm's reason for
    /// each, e.g. `["12_3": ("PENDING", "Dependency")]`.
    public static func queue(_ jobIDs: [String]) -> [String: QueuedTask] {
        guard !jobIDs.isEmpty,
              let text = try? command("squeue", ["-h", "-r", "-t", "PENDING,RUNNING,CONFIGURING,COMPLETING,SUSPENDED",
                                                  "-j", jobIDs.joined(separator: ","), "-o", "%i %T %r"]) else { return [:] }
        return parseQueue(text)
    }

    /// The entry of array task `task` (`12_3`) in a queue from ``queue(_:)``, or else its job's
    /// (`12`), for a job squeue lists whole.
    static func entry<Value>(of task: String, in queue: [String: Value]) -> Value? {
        queue[task] ?? queue[String(task.prefix { $0 != "_" })]
    }

    /// `squeue -o "%i %T %r"` lines (the reason may contain spaces) by task id.
    static func parseQueue(_ text: String) -> [String: QueuedTask] {
        var out: [String: QueuedTask] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2 else { continue }
            out[String(parts[0])] = QueuedTask(state: String(parts[1]), reason: parts.count == 3 ? String(parts[2]) : "")
        }
        return out
    }
}

/// A task in the Slurm queue: its state and Slurm's reason for it.
public struct QueuedTask: Sendable, Equatable {
    public var state: String
    public var reason: String

    /// Whether Slurm will not start it on its own: held (by a user, an administrator, or after a
    /// failed launch, "launch failed requeued held") or waiting on a dependency that can no longer
    /// be met. It runs only if someone releases or fixes it.
    public var isStuck: Bool {
        guard state == "PENDING" else { return false }
        let r = reason.lowercased()
        return r.contains("held") || r.contains("dependencyneversatisfied")
    }
}

extension StageStore {
    func failureFile(_ key: String) -> URL { root.appendingPathComponent("failures").appendingPathComponent("\(key).json") }

    public func failure(_ key: String) -> StageFailureRecord? {
        guard let data = FileManager.default.contents(atPath: failureFile(key).path) else { return nil }
        return try? JSONDecoder().decode(StageFailureRecord.self, from: data)
    }

    func recordFailure(_ record: StageFailureRecord) throws {
        try AtomicWrite.write(try StableJSON.encode(record), to: failureFile(record.key))
    }

    func clearFailure(_ key: String) {
        try? FileManager.default.removeItem(at: failureFile(key))
    }
}
