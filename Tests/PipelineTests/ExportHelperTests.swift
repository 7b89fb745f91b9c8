import AccordionTestSupport
import Foundation
import ResultBundles
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// `scripts/export_activations.py` writes what the import reads: its numpy writer always (when
/// numpy is importable), its PyTorch self-test when torch is.
@Suite("The Python export helper", .serialized)
struct ExportHelperTests {
    static let script = TestSupport.repositoryRoot.appendingPathComponent("scripts/export_activations.py")

    static func python(_ arguments: [String], directory: URL? = nil) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + arguments
        if let directory { p.currentDirectoryURL = directory }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        guard (try? p.run()) != nil else { return (-1, "python3 could not be started") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func importable(_ module: String) -> Bool {
        let ok = python(["-c", "import \(module)"]).status == 0
        if !ok { print("ExportHelperTests: python3 cannot import \(module); the tests that need it are skipped") }
        return ok
    }

    static let numpy = importable("numpy")
    static let torch = importable("torch")

    static let spec = """
    activations:
      directory: out
      layers: [fc1, blocks.0, head]
      epochs: [0, 2]
    estimators: {pr: {}, linear_probe: {}}

    """

    @Test("the numpy writer's files validate and import: rank-3 layers flattened, labels beside the epochs",
          .enabled(if: numpy, "needs python3 with numpy"))
    func writer() throws {
        let dir = TestSupport.temporaryDirectory("export-helper")
        defer { try? FileManager.default.removeItem(at: dir) }
        let code = """
        import sys; sys.path.insert(0, \"\(Self.script.deletingLastPathComponent().path)\")
        import numpy as np, export_activations as ea
        rng = np.random.default_rng(0)
        for epoch in (0, 2):
            ea.write_epoch("out", epoch, {"fc1": rng.normal(size=(60, 4, 5)), "blocks.0": rng.normal(size=(60, 7)),
                                          "head": rng.normal(size=(60, 3))}, labels=np.arange(60) % 4)
        try:
            ea.write_epoch("bad", 0, {"a": np.ones((60, 2)), "b": np.ones((59, 2))})
        except ValueError as e:
            print("refused:", e)
        """
        let r = Self.python(["-c", code], directory: dir)
        #expect(r.status == 0 && r.output.contains("refused: layer 'b' has 59 points, the others 60"), "\(r.output)")
        let loaded = try SpecLoader.load(data: Data(Self.spec.utf8), file: dir.appendingPathComponent("spec.yaml").path, defaultName: "helper")
        #expect(ActivationsCheck.diagnostics(loaded).isEmpty)
        let summary = try Runner.run(loaded, options: RunOptions(resultsDirectory: dir.appendingPathComponent("R"), log: { _ in }))
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        #expect(summary.rows.count == 2 * 3 * 2)
        #expect(summary.rows.contains { $0.layer == "fc1" && $0.dimension == 20 })
    }

    @Test("the PyTorch self-test exports a small MLP that accordion runs on",
          .enabled(if: torch, "needs python3 with torch (pip install torch); skipped otherwise"))
    func selfTest() throws {
        let dir = TestSupport.temporaryDirectory("export-helper-torch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = Self.python([Self.script.path, "--self-test", "out"], directory: dir)
        #expect(r.status == 0 && r.output.contains("self-test passed"), "\(r.output)")
        let yaml = "activations: {directory: out, layers: [act1, act2, head], epochs: [0, 1]}\nestimators: {pr: {}, linear_probe: {}}\n"
        let loaded = try SpecLoader.load(data: Data(yaml.utf8), file: dir.appendingPathComponent("spec.yaml").path, defaultName: "torch")
        #expect(ActivationsCheck.diagnostics(loaded).isEmpty)
        let summary = try Runner.run(loaded, options: RunOptions(resultsDirectory: dir.appendingPathComponent("R"), log: { _ in }))
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        // Training separates the three classes (the argmax of the first three inputs): the head's
        // linear probe is near chance (1/3) before it and near perfect after.
        let probe = { (epoch: Int) in summary.rows.first { $0.layer == "head" && $0.estimator == "linear_probe" && $0.epoch == epoch }?.value ?? .nan }
        #expect(probe(0) < 0.7 && probe(1) > 0.9, "\(probe(0)) → \(probe(1))")
    }
}
