import AccordionTestSupport
import Foundation
import ResultBundles
import Testing
@testable import ExperimentSpec
@testable import Pipeline
import Claims

@Suite("Stage cache, resume and reproducibility", .serialized)
struct CacheTests {
    static let tiny = """
    name: tiny
    data: {train_size: 1000, test_size: 300}
    model: {depth: 2, width: 32}
    train: {epochs: 2, seed: 3}
    probe: {epochs: [0, 2], size: 100}

    """

    static func load(_ yaml: String = tiny, _ overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: "tiny.yaml", defaultName: "tiny", overrides: overrides)
    }

    @Test("an identical run recomputes nothing; changing lr recomputes exactly its dependants")
    func cacheAndInvalidation() throws {
        let results = TestSupport.temporaryDirectory("cache")
        let options = RunOptions(resultsDirectory: results, log: { _ in })
        let first = try Runner.run(try Self.load(), options: options)
        #expect(first.executed == first.stageCount)
        // data, train, 2 probes, 2 × 4 estimates, the aggregate and the report.
        #expect(first.stageCount == 1 + 1 + 2 + 2 * 4 + 2)

        let second = try Runner.run(try Self.load(), options: options)
        #expect(second.executed == 0)
        #expect(second.outcomes.values.allSatisfy { $0 == .cached })
        #expect(second.rows == first.rows)

        let changed = try Self.load(Self.tiny, ["train.lr=0.02"])
        let graph = try StageGraph.compile(changed)
        let train = try #require(graph.pointStages[0]?.train)
        let plan = Planner.explain(graph, resultsDirectory: results, experiment: "tiny")
        #expect(plan.first { $0.stage.key == train }?.reason == "parameter changed: train.lr 0.01 → 0.02")
        #expect(plan.filter(\.cached).map(\.stage.kind) == [.data])
        let third = try Runner.run(changed, options: options)
        // Everything downstream of train (1 train + 2 probes + 8 estimates + aggregate + report) and nothing else.
        #expect(third.executed == 1 + graph.dependants(of: train).count)
        #expect(third.executed == 13)
    }

    @Test("a cached output changed on disk is noticed, set aside and recomputed; published outputs are read-only",
          arguments: ["estimate.json", "checkpoints/epoch2.safetensors", "stage.json"])
    func selfHealing(_ file: String) throws {
        let results = TestSupport.temporaryDirectory("heal")
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var all: [String] = []
            func add(_ line: String) { lock.lock(); all.append(line); lock.unlock() }
        }
        let lines = Lines()
        let options = RunOptions(resultsDirectory: results, log: { lines.add($0) })
        let first = try Runner.run(try Self.load(), options: options)
        let graph = try StageGraph.compile(try Self.load())
        let kind: StageKind = file.hasPrefix("checkpoints") ? .train : .estimate
        let stage = try #require(graph.stages.first { $0.kind == kind })
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let url = store.directory(stage.key).appendingPathComponent(file)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o444)
        chmod(url.path, 0o644)
        var bytes = try Data(contentsOf: url)
        if file == "stage.json" {
            bytes = bytes.prefix(bytes.count / 2)  // a record cut short, as by a full disk
        } else {
            bytes[bytes.count / 2] ^= 0x01
        }
        try bytes.write(to: url)
        #expect(store.check(stage.key) != .valid)

        let second = try Runner.run(try Self.load(), options: options)
        #expect(second.outcomes[stage.key]?.status == .done)
        #expect(second.rows == first.rows)
        #expect(store.check(stage.key) == .valid)
        #expect(lines.all.contains { $0.contains("\(stage.name): the stored copy is unusable") })
        let aside = try FileManager.default.contentsOfDirectory(atPath: results.appendingPathComponent(".store/corrupt").path)
        #expect(aside.count == 1 && aside[0].hasPrefix(stage.key))
    }

    @Test("a change that only the report shows re-runs the report stage alone; plan lists the summary stages")
    func reportOnlyChange() throws {
        let results = TestSupport.temporaryDirectory("report-only")
        let options = RunOptions(resultsDirectory: results, log: { _ in })
        let first = try Runner.run(try Self.load(), options: options)
        let described = try Self.load(Self.tiny + "description: the same run, described\n")
        let graph = try StageGraph.compile(described)
        let summaries = try #require(graph.summaries)
        #expect(graph.stage(summaries.aggregate)?.kind == .aggregate && graph.stage(summaries.report)?.kind == .report)
        let plan = Planner.explain(graph, resultsDirectory: results, experiment: "tiny")
        #expect(plan.filter { !$0.cached }.map(\.stage.name) == ["report"])
        #expect(plan.first { !$0.cached }?.reason.hasPrefix("parameter changed: description") == true)
        let second = try Runner.run(described, options: options)
        #expect(second.executed == 1)
        let stages = try BundleReader(second.bundle).manifest.stages
        #expect(stages.filter { $0.status == .done }.map(\.name) == ["report"])
        #expect(stages.filter { $0.status == .cached }.count == stages.count - 1)
        #expect(second.rows == first.rows)
        let html = try String(contentsOf: second.bundle.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("the same run, described"))
    }

    @Test("a bundle with a tampered file fails verify; an untouched one passes")
    func tamper() throws {
        let results = TestSupport.temporaryDirectory("tamper")
        let summary = try Runner.run(try Self.load(), options: RunOptions(resultsDirectory: results, log: { _ in }))
        let clean = try TestSupport.runAccordion(["verify", summary.bundle.path])
        #expect(clean.status == 0, "\(clean.output)")
        let csv = summary.bundle.appendingPathComponent("results.csv")
        var text = try String(contentsOf: csv, encoding: .utf8)
        text = text.replacingOccurrences(of: ",pr,", with: ",pr ,")
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let tampered = try TestSupport.runAccordion(["verify", summary.bundle.path])
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("results.csv: sha256"))
    }

    @Test("rerun of a bundle recomputes from scratch and verifies bit-identical")
    func rerun() throws {
        let results = TestSupport.temporaryDirectory("rerun")
        let spec = try TestSupport.writeSpec(Self.tiny)
        let run = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(run.status == 0, "\(run.output)")
        let bundle = try #require(BundleReader.bundles(under: results).first)
        let again = try TestSupport.runAccordion(["rerun", bundle.path, "--results", results.path])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("same machine and thread count, so bit-identical is required"))
        #expect(again.output.contains("\nidentical"))
        #expect(again.output.contains("14 computed, 0 cached"))
    }

    @Test("two concurrent runs on one results directory compute each stage once")
    func concurrent() throws {
        let results = TestSupport.temporaryDirectory("concurrent")
        let spec = try TestSupport.writeSpec(Self.tiny)
        final class Outputs: @unchecked Sendable {
            let lock = NSLock()
            var texts = ["", ""]
        }
        let box = Outputs()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let r = try? TestSupport.runAccordion(["run", spec.path, "--results", results.path, "--jobs", "1"])
            box.lock.lock(); box.texts[i] = r?.output ?? ""; box.lock.unlock()
        }
        let outputs = box.texts
        func computed(_ text: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("14 stages:") }) else { return nil }
            return Int(line.split(separator: " ")[2])
        }
        let counts = outputs.compactMap(computed)
        #expect(counts.count == 2, "\(outputs)")
        #expect(counts.reduce(0, +) == 14, "\(counts)")
        let bundles = BundleReader.bundles(under: results)
        #expect(bundles.count == 2)
        let a = try BundleReader(bundles[0]), b = try BundleReader(bundles[1])
        #expect(try BundleVerifier.compare(a, b).passed)
        #expect(BundleVerifier.integrity(a).isEmpty && BundleVerifier.integrity(b).isEmpty)
    }

    @Test("a run killed with SIGKILL mid-training resumes, recomputing only what was unfinished")
    func killAndResume() throws {
        let results = TestSupport.temporaryDirectory("kill")
        // Two epochs of 20,000 examples: seconds of training, far longer than the kill takes to land.
        let yaml = Self.tiny.replacingOccurrences(of: "train_size: 1000", with: "train_size: 20000")
            .replacingOccurrences(of: "depth: 2, width: 32", with: "depth: 3, width: 512")
        let spec = try TestSupport.writeSpec(yaml)
        let graph = try StageGraph.compile(try Self.load(yaml))
        let train = try #require(graph.pointStages[0]?.train)
        let p = Process()
        p.executableURL = TestSupport.accordionExecutable
        p.arguments = ["run", spec.path, "--results", results.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        // Wait until the training loop is under way, then kill without warning.
        let underWay = TrainingUnderWay.wait(for: train, under: results)
        kill(p.processIdentifier, SIGKILL)
        let seen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(underWay, "training never started: \(seen)")
        #expect(p.terminationReason == .uncaughtSignal)
        let store = StageStore(root: results.appendingPathComponent(".store"))
        #expect(!store.isDone(train), "training should not have finished: \(seen)")
        #expect(!FileManager.default.fileExists(atPath: store.directory(train).path))

        let resumed = try Runner.run(try Self.load(yaml), options: RunOptions(resultsDirectory: results, log: { _ in }))
        #expect(resumed.failures.isEmpty)
        #expect(resumed.outcomes[try #require(graph.pointStages[0]?.data)] == .cached)
        #expect(resumed.executed == graph.count - 1)
        let reader = try BundleReader(resumed.bundle)
        #expect(reader.manifest.status == .complete)
        #expect(BundleVerifier.integrity(reader).isEmpty)
    }
}

@Suite("Stage keys")
struct StageKeyTests {
    @Test("the fast estimate-parameter encoding is byte-identical to JSONEncoder's canonical form",
          arguments: [
            EstimateParams(layer: "h1", estimator: "mle", settings: ["k": "20", "average": "harmonic", "seed": "123"]),
            EstimateParams(layer: "block3", estimator: "pr", settings: [:]),
            EstimateParams(layer: "a\"b\\c/d\n\t\u{01}é", estimator: "twonn", settings: ["x/y": "1\"2", "ü": "\u{1F}"]),
          ])
    func fastEncoding(_ p: EstimateParams) throws {
        #expect(p.canonicalJSON() == (try StageKeys.canonicalJSON(p)))
    }
}

@Suite("Bundle format")
struct BundleFormatTests {
    @Test("a bundle written by a newer format version is rejected with a message saying so")
    func newerFormat() throws {
        let dir = TestSupport.temporaryDirectory("future")
        let manifest = #"{"format_version": 99, "run_id": "x", "experiment": "e", "status": "complete", "started": "", "points": 1, "stages": [], "files": []}"#
        try manifest.write(to: dir.appendingPathComponent("bundle.json"), atomically: true, encoding: .utf8)
        #expect(throws: BundleError.self) { _ = try BundleReader(dir) }
        let r = try TestSupport.runAccordion(["verify", dir.path])
        #expect(r.status == 2)
        #expect(r.output.contains("has bundle format 99, newer than this accordion reads (1); upgrade accordion"), "\(r.output)")
    }
}

@Suite("Claims stage", .serialized)
struct ClaimsStageTests {
    static let spec = """
    name: claimed
    data: {train_size: 1000, test_size: 300}
    model: {depth: 2, width: 32}
    train: {epochs: 2, seed: 3}
    replicates: 3
    probe: {epochs: [0, 2], size: 100}
    estimators: {pr: {}}
    claims:
      - id: compression
        statement: Training lowers the PR of the last hidden layer.
        estimator: pr
        kind: cells
        cell: {layer: last_hidden, epoch: last}
        baseline: {layer: last_hidden, epoch: 0}
        direction: DIRECTION

    """

    static func load(_ direction: String) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(spec.replacingOccurrences(of: "DIRECTION", with: direction).utf8),
                            file: "claimed.yaml", defaultName: "claimed")
    }

    @Test("claims are a stage on the aggregate: editing one re-runs only claims and report; summary.csv has n, mean, CI")
    func editingAClaim() throws {
        let results = TestSupport.temporaryDirectory("claims")
        let options = RunOptions(resultsDirectory: results, log: { _ in })
        let first = try Runner.run(try Self.load("decrease"), options: options)
        #expect(first.failures.isEmpty)
        let claim = try #require(first.claims.first)
        #expect(claim.n == 3 && claim.effect != nil && claim.ciLow != nil)
        let second = try Runner.run(try Self.load("increase"), options: options)
        #expect(second.executed == 2, "only the claims and report stages")
        let stages = try BundleReader(second.bundle).manifest.stages
        #expect(Set(stages.filter { $0.status == .done }.map(\.name)) == ["claims", "report"])
        let flipped = try #require(second.claims.first)
        #expect(flipped.effect == claim.effect)
        // The same effect read against the opposite expectation cannot get the same verdict, unless inconclusive.
        #expect(flipped.verdict != claim.verdict || claim.verdict == .inconclusive)

        let summary = try String(contentsOf: second.bundle.appendingPathComponent("summary.csv"), encoding: .utf8)
        let lines = summary.split(separator: "\n")
        #expect(lines[0].hasPrefix("configuration,label,epoch,layer,layer_index,estimator,n_replicates,mean,sd_across_replicates,ci_low_across_replicates,ci_high_across_replicates"))
        // 2 epochs × 4 layers × 1 estimator, one configuration.
        #expect(lines.count == 1 + 8)
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",")[6] == "3" })
        let html = try String(contentsOf: second.bundle.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<section id=\"claims\">") && html.contains("compression"))
        #expect(FileManager.default.fileExists(atPath: second.bundle.appendingPathComponent("claims.md").path))
    }
}
