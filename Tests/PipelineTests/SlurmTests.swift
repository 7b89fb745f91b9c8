import AccordionTestSupport
import ExperimentSpec
import Foundation
import ResultBundles
import Testing
@testable import Pipeline

/// Whether a real one-node Slurm cluster can be started here: root, and Debian's Slurm installed.
let slurmAvailable: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/slurmctld")
    && FileManager.default.isExecutableFile(atPath: "/usr/sbin/munged")

@Suite("Slurm executor", .serialized)
struct SlurmTests {
    static let sweep = """
    name: slurmsweep
    data: {train_size: 1000, test_size: 300}
    model: {depth: 2, width: 16, activation: identity}
    train: {epochs: 1, seed: 5, lr: {grid: [0.01, 90]}, momentum: 0.99}
    probe: {epochs: [0, 1], size: 100}

    """

    @Test("--dry-run writes throttled, chained job arrays and submits nothing")
    func dryRun() throws {
        let results = TestSupport.temporaryDirectory("slurm-dry")
        let spec = try TestSupport.writeSpec(Self.sweep)
        let r = try TestSupport.runAccordion(["run", spec.path, "--executor", "slurm", "--dry-run", "--max-parallel", "2",
                                              "--partition", "gpu", "--time", "00:10:00", "--results", results.path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("#SBATCH --array=0-1%2"))
        // One data array, one train array, per train stage a probe and an estimate array, then the
        // aggregate and the report, which start once their inputs end however they ended.
        #expect(r.output.contains("dry run: 8 job arrays"))
        #expect(r.output.contains("# submitted with --dependency=afterany"))
        #expect(r.output.contains("accordion-6-aggregate"))
        #expect(r.output.contains("accordion-7-report"))
        #expect(r.output.contains("accordion-1-train[1])"))
        #expect(r.output.contains("#SBATCH --partition=gpu"))
        #expect(r.output.contains("#SBATCH --time=00:10:00"))
        #expect(r.output.contains("#SBATCH --kill-on-invalid-dep=yes"))
        #expect(r.output.contains("stage exec \"$KEY\""))
        let keys = try FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent(".slurm").path)
        #expect(keys.count == 1)
    }

    @Test("squeue lines with reasons parse, and held or never-satisfiable tasks are stuck")
    func stuckTasks() {
        let q = Slurm.parseQueue("""
        12_0 PENDING launch failed requeued held
        12_1 PENDING JobHeldAdmin
        13_[0-3%2] PENDING Dependency
        14_0 RUNNING None
        15_0 PENDING DependencyNeverSatisfied
        16_0 PENDING Resources
        """)
        #expect(q.count == 6)
        #expect(q["12_0"] == QueuedTask(state: "PENDING", reason: "launch failed requeued held"))
        #expect(q.filter { $0.value.isStuck }.keys.sorted() == ["12_0", "12_1", "15_0"])
    }

    @Test("a job Slurm cannot launch ends the run with the held tasks named, instead of a wait without end",
          .enabled(if: slurmAvailable, "needs root and Debian's slurmctld, slurmd and munge (make test installs them)"))
    func heldJob() throws {
        // The step daemon's socket path would pass 108 bytes under this directory, so every launch
        // fails and Slurm requeues the job held.
        try Self.withCluster(TestSupport.temporaryDirectory("slurm-state-" + String(repeating: "x", count: 60))) {
            let spec = try TestSupport.writeSpec(Self.sweep)
            let results = TestSupport.temporaryDirectory("slurm-held")
            let r = try TestSupport.runAccordion(["run", spec.path, "--executor", "slurm", "--results", results.path], timeout: 120)
            #expect(r.status != 9, "still waiting after 120 s:\n\(r.output)")
            #expect(r.status == 1, "\(r.output)")
            #expect(r.output.contains("Slurm holds task") && r.output.contains("held") && r.output.contains("scontrol release"),
                    "\(r.output)")
            // The jobs stay queued for the user to release or cancel; this test cancels them.
            let cancel = Process()
            cancel.executableURL = URL(fileURLWithPath: "/usr/bin/scancel")
            cancel.arguments = ["--user", "root"]
            try? cancel.run()
            cancel.waitUntilExit()
        }
    }

    /// Runs `body` with a one-node test cluster whose state lives in `state` (and `SLURM_CONF`
    /// pointing at it), stopping the cluster afterwards.
    static func withCluster(_ state: URL, _ body: () throws -> Void) throws {
        let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/slurm-cluster.sh").path
        let start = Process()
        start.executableURL = URL(fileURLWithPath: script)
        start.arguments = ["start", state.path]
        try start.run()
        start.waitUntilExit()
        try #require(start.terminationStatus == 0, "the test cluster did not start; see \(state.path)/log")
        defer {
            let stop = Process()
            stop.executableURL = URL(fileURLWithPath: script)
            stop.arguments = ["stop", state.path]
            try? stop.run()
            stop.waitUntilExit()
        }
        setenv("SLURM_CONF", state.appendingPathComponent("slurm.conf").path, 1)
        defer { unsetenv("SLURM_CONF") }
        try body()
    }

    @Test("a sweep runs on a real one-node cluster and equals the local executor's bundle",
          .enabled(if: slurmAvailable, "needs root and Debian's slurmctld, slurmd and munge (make test installs them)"))
    func cluster() throws {
        try Self.withCluster(TestSupport.temporaryDirectory("slurm-state")) { try clusterSweep() }
    }

    func clusterSweep() throws {
        let spec = try TestSupport.writeSpec(Self.sweep)
        let onSlurm = TestSupport.temporaryDirectory("slurm-results")
        let s = try TestSupport.runAccordion(["run", spec.path, "--executor", "slurm", "--max-parallel", "2",
                                              "--results", onSlurm.path])
        // The lr=90 point diverges: exit 1, its stage failed with a log path, its dependants cancelled.
        #expect(s.status == 1, "\(s.output)")
        #expect(s.output.contains("submitted accordion-0-data as job"))
        // Stage lines are worded from the executor's events, as for a local run: one dated line per
        // stage computed or failed, none for a skipped one.
        let stageLines = s.output.split(separator: "\n").filter { $0.contains(" stages done (") }
        let dated = try Regex(#"^\d\d:\d\d:\d\d \[\d+ of 25 stages done \(0 cached, [01] failed\)\] "#)
        #expect(stageLines.count == 14 + 1 && stageLines.allSatisfy { $0.prefixMatch(of: dated) != nil }, "\(s.output)")
        #expect(stageLines.contains { $0.contains("] train[lr=90]: failed — ") && $0.contains("diverged at epoch 1") }, "\(s.output)")
        #expect(stageLines.contains { $0.contains("] train[lr=0.01]: done in ") }, "\(s.output)")
        let slurmBundle = try #require(BundleReader.bundles(under: onSlurm).first)
        let manifest = try BundleReader(slurmBundle).manifest
        let failed = manifest.stages.filter { $0.status == .failed }
        #expect(failed.map(\.name) == ["train[lr=90]"])
        #expect(failed.first?.error?.contains("diverged at epoch 1") == true)
        #expect(failed.first?.error?.contains("(log: ") == true)
        #expect(manifest.stages.filter { $0.status == .skipped }.count == 2 + 8, "\(s.output)")
        #expect(manifest.stages.filter { $0.status == .done }.count == 1 + 1 + 2 + 8 + 2, "data, train, probes, estimates, aggregate, report")

        let local = TestSupport.temporaryDirectory("local-results")
        let l = try TestSupport.runAccordion(["run", spec.path, "--results", local.path])
        #expect(l.status == 1)
        let localBundle = try #require(BundleReader.bundles(under: local).first)
        let v = try TestSupport.runAccordion(["verify", slurmBundle.path, localBundle.path])
        #expect(v.status == 0, "\(v.output)")
        #expect(v.output.contains("identical"))

        // Status reads the store and the queue: everything settled.
        let st = try TestSupport.runAccordion(["status", slurmBundle.path, "--results", onSlurm.path])
        let table = st.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let header = try #require(table.first)
        let all = try #require(table.first { $0.first == "all" })
        let done = try #require(header.firstIndex(of: "done")), failedColumn = try #require(header.firstIndex(of: "failed"))
        #expect(all[done] == "14" && all[failedColumn] == "1", "\(st.output)")
        #expect(table.first { $0.first == "train" }?[failedColumn] == "1", "\(st.output)")
        #expect(st.output.contains("1 failed:\n  train["), "\(st.output)")
        // Stages are listed only on request.
        #expect(!st.output.contains("probe[") )
        let listed = try TestSupport.runAccordion(["status", slurmBundle.path, "--results", onSlurm.path, "--stages"])
        #expect(listed.output.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.contains("  done") }.count == 14, "\(listed.output)")

        // Resuming on Slurm after the fact: everything that succeeded is cached, only failures
        // resubmitted; the run reports itself as stage events, as a local run does.
        let events = EventLog()
        let again = try Runner.run(try SpecLoader.load(path: spec.path), options: RunOptions(
            resultsDirectory: onSlurm, slurm: SlurmOptions(pollInterval: 0.2), executable: TestSupport.accordionExecutable.path,
            log: { _ in }, stageEvents: { events.add($0) }))
        #expect(again.outcomes.values.filter { $0 == .cached }.count == 12)
        try Self.checkEvents(events.list, against: again.outcomes)
    }

    /// The events of a run that waited: the plan first and the end last; the cache hits ended
    /// right after the plan; every stage ended once, with the outcome of the run's report; a
    /// computed or failed stage started before it ended, a cached or skipped one never started.
    static func checkEvents(_ events: [StageEvent], against outcomes: [String: StageOutcome]) throws {
        guard case .planned(let stages, _) = try #require(events.first) else { Issue.record("no plan first: \(events)"); return }
        guard case .finished = try #require(events.last) else { Issue.record("no end last: \(events)"); return }
        let names = Dictionary(uniqueKeysWithValues: stages.map { ($0.key, $0.name) })
        let stored = stages.filter(\.stored).map(\.key)
        let afterPlan = events.dropFirst().prefix(stored.count).compactMap { e -> String? in
            if case .ended(let key, .cached) = e { return key } else { return nil }
        }
        #expect(afterPlan == stored)
        var started: Set<String> = [], ended: [String: StageOutcome] = [:]
        for event in events.dropFirst().dropLast() {
            switch event {
            case .started(let key):
                #expect(ended[key] == nil && started.insert(key).inserted, "\(names[key] ?? key) started twice or after it ended")
            case .ended(let key, let outcome):
                #expect(ended[key] == nil, "\(names[key] ?? key) ended twice")
                ended[key] = outcome
                switch outcome {
                case .done, .failed: #expect(started.contains(key), "\(names[key] ?? key) ended \(outcome) without a start")
                case .cached, .skipped: #expect(!started.contains(key), "\(names[key] ?? key) started but was \(outcome)")
                }
            case .planned, .finished:
                Issue.record("a second plan or end: \(event)")
            }
        }
        #expect(ended == outcomes)
        let failed = ended.filter { if case .failed(let why) = $0.value { return why.contains("diverged at epoch 1") } else { return false } }
        #expect(failed.keys.map { names[$0] } == ["train[lr=90]"])
        #expect(ended.values.filter { $0.status == .skipped }.count == 2 + 8)
        #expect(ended.values.filter { $0.status == .done }.count == 2, "the aggregate and the report")
    }
}

/// Stage events as they arrive, from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [StageEvent] = []
    func add(_ event: StageEvent) { lock.lock(); events.append(event); lock.unlock() }
    var list: [StageEvent] { lock.lock(); defer { lock.unlock() }; return events }
}
