import AccordionTestSupport
import Datasets
import ExperimentSpec
import Foundation
import ResultBundles
import Testing
@testable import Pipeline

#if canImport(Glibc)
import Glibc
#endif

@Suite("Store maintenance, forcing and interruption", .serialized)
struct StoreTests {
    static let tiny = CacheTests.tiny

    @Test("store verify names a damaged entry and --repair sets it aside; gc removes what no bundle uses")
    func verifyAndCollect() throws {
        let results = TestSupport.temporaryDirectory("store")
        let spec = try TestSupport.writeSpec(Self.tiny)
        #expect(try TestSupport.runAccordion(["run", spec.path, "--results", results.path]).status == 0)
        let clean = try TestSupport.runAccordion(["store", "verify", "--results", results.path])
        #expect(clean.status == 0 && clean.output.contains("14 stored stages checked, 0 bad"), "\(clean.output)")

        let store = StageStore(root: results.appendingPathComponent(".store"))
        let graph = try StageGraph.compile(try CacheTests.load())
        let probe = try #require(graph.stages.first { $0.kind == .probe })
        let file = store.directory(probe.key).appendingPathComponent("h1.npy")
        chmod(file.path, 0o644)
        try Data("not activations".utf8).write(to: file)
        let bad = try TestSupport.runAccordion(["store", "verify", "--results", results.path])
        #expect(bad.status == 1 && bad.output.contains("\(probe.name)") && bad.output.contains("h1.npy"), "\(bad.output)")
        let repaired = try TestSupport.runAccordion(["store", "verify", "--repair", "--results", results.path])
        #expect(repaired.output.contains("set aside"), "\(repaired.output)")
        #expect(store.check(probe.key) == .absent)

        // A spec change orphans nothing while the first bundle refers to its stages; removing the
        // bundle orphans them all.
        for bundle in BundleReader.bundles(under: results) { try FileManager.default.removeItem(at: bundle) }
        let gc = try TestSupport.runAccordion(["store", "gc", "--results", results.path])
        #expect(gc.output.contains("removed 13 unreferenced stages") && gc.output.contains("1 corrupt entry"), "\(gc.output)")
        #expect(StoreMaintenance.keys(store).isEmpty)
    }

    @Test("--force recomputes exactly the stages whose names match")
    func force() throws {
        let results = TestSupport.temporaryDirectory("force")
        _ = try Runner.run(try CacheTests.load(), options: RunOptions(resultsDirectory: results, log: { _ in }))
        let again = try Runner.run(try CacheTests.load(), options: RunOptions(resultsDirectory: results, log: { _ in },
                                                                               force: ["estimate[*,h1,*]"]))
        // Two estimates of h1 (epochs 0 and 2) are recomputed; the aggregate and report read the
        // same bytes again, so they stay cached.
        #expect(again.executed == 2)
    }

    @Test("replacing a dataset's files changes the data stage's key")
    func dataStamp() throws {
        let dir = TestSupport.temporaryDirectory("data-stamp")
        try Data(repeating: 1, count: 10).write(to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        var spec = try CacheTests.load().points[0].experiment.data
        spec.path = dir.path
        let before = try #require(DataParams.stamp(spec))
        try Data(repeating: 2, count: 11).write(to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        let after = try #require(DataParams.stamp(spec))
        #expect(before != after && before.count == 1)
        spec.dataset = .manifold
        #expect(DataParams.stamp(spec) == nil)
    }

    @Test("SIGINT during training marks the bundle interrupted, exits 130, and a rerun resumes")
    func interrupt() throws {
        let results = TestSupport.temporaryDirectory("interrupt")
        let spec = try TestSupport.writeSpec("name: slow\ndata: {train_size: 20000, test_size: 500}\nmodel: {depth: 4, width: 256}\ntrain: {epochs: 3}\nprobe: {epochs: [0, 3], size: 200}\n")
        let train = try #require(try StageGraph.compile(try SpecLoader.load(path: spec.path)).pointStages[0]?.train)
        let p = Process()
        p.executableURL = TestSupport.accordionExecutable
        p.arguments = ["run", spec.path, "--results", results.path, "--jobs", "1"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        // Wait until the training loop is under way, then interrupt.
        #expect(TrainingUnderWay.wait(for: train, under: results), "training never started")
        kill(p.processIdentifier, SIGINT)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(output)")
        #expect(output.contains("interrupted (signal 2)"), "\(output)")
        let bundle = try #require(BundleReader.bundles(under: results).first)
        #expect(try BundleReader(bundle).manifest.status == .interrupted)
        let verify = try TestSupport.runAccordion(["verify", bundle.path])
        #expect(verify.status == 1 && verify.output.contains("interrupted"))
        let show = try TestSupport.runAccordion(["show", bundle.path])
        #expect(show.output.contains("was interrupted: run its spec again to resume"), "\(show.output)")
        let resumed = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(resumed.status == 0 && resumed.output.contains("1 cached"), "\(resumed.output)")
    }
}

@Suite("Stage name patterns")
struct StagePatternTests {
    @Test("* and ? are wildcards; brackets are literal", arguments: [
        ("train[*]", "train[lr=0.1]", true), ("estimate[*,h1,*]", "estimate[base,epoch=0,h1,pr]", true),
        ("estimate[*,h1,*]", "estimate[base,epoch=0,h2,pr]", false), ("probe[?]", "probe[a]", true),
        ("probe[?]", "probe[ab]", false), ("*", "", true), ("report", "reports", false),
    ])
    func patterns(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(StoreMaintenance.matches(Array(pattern), Array(name)) == expected)
    }
}

@Suite("Abandoned scratch directories")
struct ScratchTests {
    @Test("only this host's scratch directories of ended processes are removed")
    func abandoned() throws {
        let store = StageStore(root: TestSupport.temporaryDirectory("scratch"))
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let key = String(repeating: "a", count: 64)
        let names = ["\(key).\(StageStore.hostTag).\(ended.processIdentifier).1",   // ours, ended: removed
                     "\(key).\(StageStore.hostTag).\(getpid()).2",                   // ours, running: kept
                     "\(key).other_node.\(ended.processIdentifier).3"]             // another host's: kept
        for name in names {
            try FileManager.default.createDirectory(at: store.root.appendingPathComponent("tmp/\(name)"), withIntermediateDirectories: true)
        }
        store.removeAbandonedScratch()
        let left = try FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("tmp").path).sorted()
        #expect(left == names.dropFirst().sorted())
    }
}

@Suite("Slurm and the checked store")
struct SlurmStoreTests {
    @Test("a stored stage that fails its checksums is set aside and submitted again, not counted as done")
    func corruptEntryIsResubmitted() throws {
        let results = TestSupport.temporaryDirectory("slurm-heal")
        _ = try Runner.run(try CacheTests.load(), options: RunOptions(resultsDirectory: results, log: { _ in }))
        let graph = try StageGraph.compile(try CacheTests.load())
        let estimate = try #require(graph.stages.first { $0.kind == .estimate })
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let file = store.directory(estimate.key).appendingPathComponent("estimate.json")
        chmod(file.path, 0o644)
        try Data("{}".utf8).write(to: file)
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var all: [String] = []
            func add(_ line: String) { lock.lock(); all.append(line); lock.unlock() }
        }
        let lines = Lines()
        _ = try Runner.run(try CacheTests.load(), options: RunOptions(resultsDirectory: results,
                                                                     slurm: SlurmOptions(dryRun: true), log: { lines.add($0) }))
        #expect(lines.all.contains { $0.contains("\(estimate.name): the stored copy is unusable") })
        // Only the estimate: recomputed, it has the same key and bytes, so the aggregate and the
        // report built on it stay valid, as in a local run.
        #expect(lines.all.contains { $0.contains("dry run: 1 job array written") }, "\(lines.all)")
        #expect(store.check(estimate.key) == .absent)
    }
}
