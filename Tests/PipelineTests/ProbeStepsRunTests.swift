import AccordionTestSupport
import Claims
import Foundation
import ResultBundles
import Tensors
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// Probes at optimizer steps inside the first epochs, end to end on Fashion-MNIST: the
/// checkpoints they read, their rows in the tables, and what a changed step list recomputes.
@Suite("Probe steps end to end", .serialized,
       .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
struct ProbeStepsRunTests {
    /// 320 training images at batch 32: 10 steps per epoch, 20 over the 2 epochs.
    static func yaml(steps: String, epochs: String = "[0, 2]", train: String = "epochs: 2") -> String {
        """
        data: {train_size: 320, test_size: 200}
        model: {depth: 2, width: 32}
        train: {batch_size: 32, \(train), noise_batches: 0}
        probe: {size: 100, epochs: \(epochs), steps: \(steps)}
        estimators: {pr: {}, twonn: {}}
        """
    }

    static func run(_ yaml: String, in results: URL) throws -> (RunSummary, StageGraph) {
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "t.yaml", defaultName: "t")
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, jobs: 1, log: { _ in }))
        return (summary, try StageGraph.compile(spec))
    }

    static func values(_ rows: [ResultRow], epoch: Int? = nil, step: Int? = nil) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: rows.filter { $0.step == step && (epoch == nil || $0.epoch == epoch) }
            .map { ("\($0.layer)/\($0.estimator)", $0.value) })
    }

    @Test("step rows carry their step and the epoch in progress; step 0 is epoch 0 and step 20 is epoch 2, value for value")
    func stepRows() throws {
        let results = TestSupport.temporaryDirectory("probe-steps")
        defer { try? FileManager.default.removeItem(at: results) }
        let (summary, graph) = try Self.run(Self.yaml(steps: "[20, 0, 5]"), in: results)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let names = Set(graph.stages.map(\.name))
        #expect(names.isSuperset(of: ["probe[base,step=0]", "probe[base,step=5]", "probe[base,step=20]",
                                      "probe[base,epoch=0]", "probe[base,epoch=2]"]))
        let stepRows = summary.rows.filter { $0.step != nil }
        #expect(Set(stepRows.map { [$0.step!, $0.epoch] }) == [[0, 0], [5, 1], [20, 2]])
        // 4 layers (input, h1, h2, logits) × 2 estimators per probe.
        #expect(stepRows.count == 3 * 8 && summary.rows.count == 5 * 8)
        let epoch0 = Self.values(summary.rows, epoch: 0), step0 = Self.values(summary.rows, step: 0)
        #expect(epoch0.count == 8 && step0 == epoch0)
        #expect(Self.values(summary.rows, step: 20) == Self.values(summary.rows, epoch: 2))
        // Five steps changed the network: its deep layers differ from the untrained ones.
        #expect(Self.values(summary.rows, step: 5)["h2/pr"] != step0["h2/pr"])

        let csv = try String(contentsOf: summary.bundle.appendingPathComponent(BundleLayout.resultsFile), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let epochColumn = try #require(lines[0].firstIndex(of: "epoch"))
        #expect(lines[0][epochColumn + 1] == "step")
        #expect(lines.dropFirst().filter { $0[epochColumn + 1].isEmpty }.count == 2 * 8)
        #expect(lines.dropFirst().filter { $0[epochColumn] == "1" && $0[epochColumn + 1] == "5" }.count == 8)
        // summary.csv keeps step 0 apart from epoch 0 and step 20 apart from epoch 2.
        let summaryCSV = try String(contentsOf: try Self.store(results, stage: "aggregate", of: graph)
            .appendingPathComponent(SummaryCSV.fileName), encoding: .utf8)
        let summaryLines = summaryCSV.split(separator: "\n")
        #expect(summaryLines[0].contains(",epoch,step,layer,"))
        #expect(summaryLines.count == 1 + 5 * 8)
        // The report draws the step probes in their own figure, one per estimator.
        let figures = summary.bundle.appendingPathComponent("figures")
        for estimator in ["pr", "twonn"] {
            #expect(FileManager.default.fileExists(atPath: figures.appendingPathComponent("id-by-step-\(estimator).svg").path))
        }
    }

    @Test("with replicates a claim on step cells gets a verdict from the step probes, and the figure by step says n")
    func stepClaimAndReplicates() throws {
        let results = TestSupport.temporaryDirectory("probe-steps-claims")
        defer { try? FileManager.default.removeItem(at: results) }
        let yaml = Self.yaml(steps: "[0, 5]") + "\n" + """
            replicates: 2
            claims:
              - {id: early, statement: s, estimator: pr, kind: cells, direction: decrease,
                 cell: {layer: h2, step: 5}, baseline: {layer: h2, step: 0}}

            """
        let (summary, graph) = try Self.run(yaml, in: results)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let claims = try ClaimInputs.read(from: try Self.store(results, stage: "claims", of: graph)).claims
        let claim = try #require(claims.first)
        #expect(claim.verdict != .notTestable, "\(claim.reason)")
        #expect(claim.n == 2 && claim.restsOn.steps == [5, 0] && claim.restsOn.epochs.isEmpty)
        let svg = try String(contentsOf: summary.bundle.appendingPathComponent("figures/id-by-step-pr.svg"), encoding: .utf8)
        #expect(svg.contains("n = 2 replicates") && svg.contains("class=\"band\""))
    }

    @Test("the checkpoint at step 5 is the network a run of train.steps: 5 ends with")
    func checkpointIsTheNetworkAfterNSteps() throws {
        let results = TestSupport.temporaryDirectory("probe-steps-equivalence")
        defer { try? FileManager.default.removeItem(at: results) }
        let (long, longGraph) = try Self.run(Self.yaml(steps: "[5]"), in: results)
        let (short, shortGraph) = try Self.run(Self.yaml(steps: "[]", epochs: "[1]", train: "steps: 5"), in: results)
        #expect(long.failures.isEmpty && short.failures.isEmpty)
        let atStep = try Safetensors.read(try Self.store(results, stage: "train[base]", of: longGraph)
            .appendingPathComponent("checkpoints/step5.safetensors"))
        let afterRun = try Safetensors.read(try Self.store(results, stage: "train[base]", of: shortGraph)
            .appendingPathComponent("checkpoints/epoch1.safetensors"))
        #expect(!atStep.isEmpty && atStep.keys.sorted() == afterRun.keys.sorted())
        for name in atStep.keys {
            #expect(atStep[name]?.scalars == afterRun[name]?.scalars, "\(name)")
        }
        #expect(Self.values(long.rows, step: 5) == Self.values(short.rows, epoch: 1))
    }

    @Test("a second run is fully cached; changing probe.steps recomputes the train stage, the new probes and the summaries")
    func caching() throws {
        let results = TestSupport.temporaryDirectory("probe-steps-cache")
        defer { try? FileManager.default.removeItem(at: results) }
        _ = try Self.run(Self.yaml(steps: "[0, 5]", epochs: "[2]"), in: results)
        let (again, _) = try Self.run(Self.yaml(steps: "[0, 5]", epochs: "[2]"), in: results)
        #expect(again.executed == 0 && again.stageCount > 0)

        let (changed, graph) = try Self.run(Self.yaml(steps: "[0, 5, 15]", epochs: "[2]"), in: results)
        let executed = Set(changed.outcomes.compactMap { key, outcome -> String? in
            if case .done = outcome { return graph.stage(key)?.name } else { return nil }
        })
        // The train stage's key includes its checkpoint steps, so it trains again; every probe
        // reads the train stage's key, so all of them (and their estimates) follow.
        #expect(executed.contains("train[base]") && executed.contains("probe[base,step=15]") && executed.contains("aggregate"))
        #expect(!executed.contains { $0.hasPrefix("data[") })
        #expect(executed.contains("probe[base,epoch=2]"))
    }

    @Test("the terminal summary lists step probes apart from epoch probes")
    func terminalSummary() throws {
        let results = TestSupport.temporaryDirectory("probe-steps-cli")
        defer { try? FileManager.default.removeItem(at: results) }
        let spec = try TestSupport.writeSpec(Self.yaml(steps: "[0, 5]", epochs: "[0, 1]", train: "epochs: 1"))
        let (status, output) = try TestSupport.runAccordion(["run", "--results", results.path, spec.path])
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for label in ["pr@0 ", "pr@1 ", "pr@step0 ", "pr@step5 ", "twonn@step5 "] {
            #expect(lines.filter { $0.hasPrefix(label) }.count == 1, "\(label): \(output)")
        }
        // Step 0 is the untrained network: its row reads as epoch 0's.
        let row = { (label: String) in lines.first { $0.hasPrefix(label) }?.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        #expect(row("pr@0 ") != nil && row("pr@0 ") == row("pr@step0 "))
    }

    /// The store directory of the stage named `name`.
    static func store(_ results: URL, stage name: String, of graph: StageGraph) throws -> URL {
        let stage = try #require(graph.stages.first { $0.name == name })
        return results.appendingPathComponent(".store/\(stage.key)")
    }
}
