import AccordionTestSupport
import Foundation
import ResultBundles
import Tensors
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// `activations:`: activations exported elsewhere, checked before anything runs, imported in
/// place of training and probing, and analysed by the usual estimate, aggregate, claims and
/// report stages.
@Suite("Exported activations", .serialized)
struct ExportedActivationsTests {
    static let points = 500

    /// Points on a 2-d plane through the origin of R^50: a standard Gaussian in the plane spanned
    /// by two orthonormal vectors.
    static func plane(seed: UInt64, epoch: Int, points: Int = points, ambient: Int = 50) -> FloatTensor {
        var rng = RandomStream(seed: seed, path: "plane/\(epoch)")
        var u = (0..<ambient).map { _ in rng.normal() }, v = (0..<ambient).map { _ in rng.normal() }
        let nu = sqrt(u.reduce(0) { $0 + $1 * $1 })
        u = u.map { $0 / nu }
        let dot = zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }
        v = zip(v, u).map { $0 - dot * $1 }
        let nv = sqrt(v.reduce(0) { $0 + $1 * $1 })
        v = v.map { $0 / nv }
        var scalars: [Float] = []
        for _ in 0..<points {
            let a = rng.normal(), b = rng.normal()
            scalars += (0..<ambient).map { Float(a * u[$0] + b * v[$0]) }
        }
        return FloatTensor(shape: [points, ambient], scalars: scalars)
    }

    /// An 8-d standard Gaussian padded with 4 zero features, saved as N×3×4 (flattened on import).
    static func gaussian(seed: UInt64, epoch: Int, points: Int = points) -> FloatTensor {
        var rng = RandomStream(seed: seed, path: "gaussian/\(epoch)")
        var scalars: [Float] = []
        for _ in 0..<points { scalars += (0..<8).map { _ in Float(rng.normal()) } + [0, 0, 0, 0] }
        return FloatTensor(shape: [points, 3, 4], scalars: scalars)
    }

    static func head(seed: UInt64, epoch: Int, points: Int = points) -> FloatTensor {
        var rng = RandomStream(seed: seed, path: "head/\(epoch)")
        return rng.normalTensor(shape: [points, 3])
    }

    static let layers: [(name: String, make: @Sendable (UInt64, Int) -> FloatTensor)] = [
        ("plane", { plane(seed: $0, epoch: $1) }), ("gauss", { gaussian(seed: $0, epoch: $1) }), ("head", { head(seed: $0, epoch: $1) }),
    ]

    static func labels(points: Int = points) -> Data {
        let values = (0..<points).map { Int64($0 % 3) }
        return NPY.encode(raw: values.withUnsafeBytes { Data($0) }, descr: "<i8", shape: [points])
    }

    /// `<dir>/exported/seed<R>/epoch<N>/<layer>.npy` for seeds 0 and 1 and epochs 0 and 3, with
    /// labels (npy), or `epoch<N>.safetensors` (safetensors).
    static func export(format: ActivationFormat = .npy) throws -> URL {
        let dir = TestSupport.temporaryDirectory("exported")
        for seed: UInt64 in [0, 1] {
            let run = dir.appendingPathComponent("exported/seed\(seed)")
            for epoch in [0, 3] {
                switch format {
                case .npy:
                    let epochDir = run.appendingPathComponent("epoch\(epoch)")
                    try FileManager.default.createDirectory(at: epochDir, withIntermediateDirectories: true)
                    for layer in layers { try NPY.write(layer.make(seed, epoch), to: epochDir.appendingPathComponent("\(layer.name).npy")) }
                case .safetensors:
                    try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
                    let tensors = Dictionary(uniqueKeysWithValues: layers.map { ($0.name, $0.make(seed, epoch)) })
                    try Safetensors.write(tensors, to: run.appendingPathComponent("epoch\(epoch).safetensors"))
                }
            }
            try labels().write(to: run.appendingPathComponent("labels.npy"))
        }
        return dir
    }

    static func spec(format: ActivationFormat = .npy, estimators: String = "{pr: {}, twonn: {}}", extra: String = "") -> String {
        """
        name: exported
        activations:
          directory: exported/seed{seed}
          layers: [plane, gauss, head]
          epochs: [0, 3]
          format: \(format.rawValue)
        replicates: 2
        estimators: \(estimators)
        claims:
          - id: expands
            statement: The Gaussian layer has a higher dimension than the plane.
            estimator: pr
            kind: cells
            cell: {layer: gauss, epoch: last}
            baseline: {layer: plane, epoch: last}
            direction: increase
            min_effect: 3
          - id: compresses
            statement: The last hidden layer has a lower dimension than the untrained first layer.
            estimator: pr
            kind: cells
            cell: {layer: last_hidden, epoch: last}
            baseline: {layer: plane, epoch: 0}
            direction: decrease
        \(extra)
        """
    }

    static func load(_ dir: URL, _ yaml: String, overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: dir.appendingPathComponent("spec.yaml").path, defaultName: "exported",
                            overrides: overrides)
    }

    /// `results.csv` as (layer, estimator, epoch) → values over the points.
    static func values(_ bundle: URL) throws -> [String: [Double]] {
        let lines = try String(contentsOf: bundle.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let layer = try #require(header.firstIndex(of: "layer")), estimator = try #require(header.firstIndex(of: "estimator"))
        let epoch = try #require(header.firstIndex(of: "epoch")), value = try #require(header.firstIndex(of: "value"))
        var out: [String: [Double]] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            out["\(f[layer]) \(f[estimator]) \(f[epoch])", default: []].append(Double(f[value]) ?? .nan)
        }
        return out
    }

    static let example = TestSupport.repositoryRoot.appendingPathComponent("Experiments/exported-activations.yaml")
    static let exampleExport = TestSupport.repositoryRoot.appendingPathComponent("Experiments/data/exported")

    @Test("the shipped export holds exactly the files the generator makes, and nothing else")
    func shippedExport() throws {
        let files = ExportedExampleData.files()
        var wrote: [String] = []
        for (path, bytes) in files {
            let url = Self.exampleExport.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try bytes.write(to: url)
                wrote.append(path)
                continue
            }
            #expect(try Data(contentsOf: url) == bytes, "\(path)")
        }
        if !wrote.isEmpty { Issue.record("wrote \(wrote.joined(separator: ", ")) under \(Self.exampleExport.path); commit them") }
        let present = try FileManager.default.subpathsOfDirectory(atPath: Self.exampleExport.path).filter { $0.hasSuffix(".npy") }
        #expect(Set(present) == Set(files.map(\.path)))
        #expect(files.map(\.bytes.count).reduce(0, +) < 32 * 1024)
        // The example's spec reads them, epochs and layers as exported.
        let spec = try SpecLoader.load(path: Self.example.path)
        #expect(ActivationsCheck.diagnostics(spec).isEmpty)
        #expect(spec.points.count == 2 && spec.points[0].experiment.activations?.epochs == [0, 1])
    }

    @Test("a run through the accordion binary finds the known dimensions and the expected verdicts, with 2 replicates")
    func endToEnd() throws {
        let dir = try Self.export()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.yaml")
        try Self.spec(estimators: "{pr: {}, twonn: {}, class_geometry: {}}").write(to: spec, atomically: true, encoding: .utf8)
        let validate = try TestSupport.runAccordion(["validate", spec.path])
        #expect(validate.status == 0 && validate.output.contains("ok, 2 run points"), "\(validate.output)")
        let plan = try TestSupport.runAccordion(["plan", spec.path])
        // Per replicate: 2 imports, 2 epochs × 3 layers × 3 estimators; then aggregate, claims, report.
        #expect(plan.output.contains("43 stages: 36 estimate, 4 import, 1 aggregate, 1 claims, 1 report"), "\(plan.output)")
        let r = try TestSupport.runAccordion(["run", spec.path, "--results", dir.appendingPathComponent("Results").path])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("point 0 (seed=0): imported activations"), "\(r.output)")
        let bundle = try #require(r.output.split(separator: "\n").last { $0.hasPrefix("bundle: ") }.map { URL(fileURLWithPath: String($0.dropFirst(8))) })
        let reader = try BundleReader(bundle)
        #expect(reader.manifest.status == .complete)
        #expect(BundleVerifier.integrity(reader).isEmpty)

        let values = try Self.values(bundle)
        for epoch in [0, 3] {
            for v in values["plane twonn \(epoch)"] ?? [] { #expect(abs(v - 2) < 0.35, "plane twonn \(v)") }
            for v in values["gauss twonn \(epoch)"] ?? [] { #expect(abs(v - 8) < 1.5, "gauss twonn \(v)") }
            for v in values["plane pr \(epoch)"] ?? [] { #expect(abs(v - 2) < 0.1, "plane pr \(v)") }
            for v in values["gauss pr \(epoch)"] ?? [] { #expect(abs(v - 8) < 0.6, "gauss pr \(v)") }
            #expect(values["gauss twonn \(epoch)"]?.count == 2 && values["head class_geometry \(epoch)"]?.count == 2)
        }
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bundle.appendingPathComponent("claims.json"))) as? [String: Any])
        let verdicts = Dictionary(uniqueKeysWithValues: (claims["claims"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["verdict"] as? String ?? "") })
        // last_hidden is gauss, the layer before the last listed: far above the plane, so "decrease" is contradicted.
        #expect(verdicts == ["expands": "supported", "compresses": "contradicted"], "\(verdicts)")

        // No training metrics: show and the Markdown report still read the bundle, naming the user's layers.
        let show = try TestSupport.runAccordion(["show", bundle.path])
        #expect(show.status == 0 && show.output.contains("expands") && show.output.contains("2 run points"), "\(show.output)")
        let markdown = try TestSupport.runAccordion(["report", "--markdown", bundle.path])
        #expect(markdown.status == 0 && markdown.output.contains("(gauss)"), "\(markdown.output)")
        #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent("report.html").path))
    }

    @Test("the import stage writes what a probe stage writes: N×D float32 per layer, probe.json with the labels")
    func importedFiles() throws {
        let dir = try Self.export()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = dir.appendingPathComponent("Results")
        let summary = try Runner.run(try Self.load(dir, Self.spec()), options: RunOptions(resultsDirectory: results, log: { _ in }))
        #expect(summary.failures.isEmpty)
        let graph = try StageGraph.compile(try Self.load(dir, Self.spec()))
        let key = try #require(graph.pointStages[1]?.probes[3])
        let stageDir = StageStore(root: results.appendingPathComponent(".store")).directory(key)
        let gauss: FloatTensor = try NPY.decode(Data(contentsOf: stageDir.appendingPathComponent("gauss.npy")), name: "gauss")
        #expect(gauss.shape == [Self.points, 12] && gauss.scalars == Self.gaussian(seed: 1, epoch: 3).scalars)
        let record = try ProbeRecord.read(from: stageDir)
        #expect(record.labels == (0..<Self.points).map { $0 % 3 } && record.classes == 3 && record.indices.count == Self.points)
        #expect(graph.pointStages[1]?.train == nil && graph.stage(key)?.name == "import[seed=1,epoch=3]")
    }

    @Test("one safetensors file per epoch gives the same estimates as one .npy file per layer")
    func safetensors() throws {
        let npy = try Self.export(format: .npy), st = try Self.export(format: .safetensors)
        defer { try? FileManager.default.removeItem(at: npy); try? FileManager.default.removeItem(at: st) }
        let a = try Runner.run(try Self.load(npy, Self.spec()), options: RunOptions(resultsDirectory: npy.appendingPathComponent("R"), log: { _ in }))
        let b = try Runner.run(try Self.load(st, Self.spec(format: .safetensors)), options: RunOptions(resultsDirectory: st.appendingPathComponent("R"), log: { _ in }))
        #expect(a.failures.isEmpty && b.failures.isEmpty)
        #expect(a.rows.count == 2 * 2 * 3 * 2)
        #expect(a.rows.map(\.value) == b.rows.map(\.value))
    }

    @Test("a changed file recomputes its import stage and what reads it, nothing else")
    func changedFile() throws {
        let dir = try Self.export()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = RunOptions(resultsDirectory: dir.appendingPathComponent("Results"), log: { _ in })
        let first = try Runner.run(try Self.load(dir, Self.spec()), options: options)
        #expect(first.executed == first.stageCount)
        let second = try Runner.run(try Self.load(dir, Self.spec()), options: options)
        #expect(second.executed == 0)
        let before = try StageGraph.compile(try Self.load(dir, Self.spec()))
        // Same size, new values: only the modification time and the contents differ.
        let file = dir.appendingPathComponent("exported/seed0/epoch3/head.npy")
        try NPY.write(Self.head(seed: 7, epoch: 3), to: file)
        let after = try StageGraph.compile(try Self.load(dir, Self.spec()))
        let changed = Set(after.stages.map(\.key)).subtracting(before.stages.map(\.key))
        let imported = try #require(after.pointStages[0]?.probes[3])
        #expect(changed.contains(imported) && before.pointStages[0]?.probes[0] == after.pointStages[0]?.probes[0])
        #expect(changed == after.dependants(of: imported).union([imported]))
        let third = try Runner.run(try Self.load(dir, Self.spec()), options: options)
        // The import, its 3 layers × 2 estimators, the aggregate, the claims and the report.
        #expect(third.executed == 1 + 6 + 3)
        // The other layers of the re-imported epoch are estimated again, on the same points.
        #expect(third.rows.filter { $0.layer != "head" }.map(\.value) == first.rows.filter { $0.layer != "head" }.map(\.value))
        #expect(third.rows.filter { $0.layer == "head" }.map(\.value) != first.rows.filter { $0.layer == "head" }.map(\.value))
    }

    /// Each case: a readable id, how the export is damaged, extra spec text, and the first line of
    /// every error (`$DIR` for the directory).
    static let cases: [(id: String, damage: @Sendable (URL) throws -> Void, yaml: String, overrides: [String], errors: [String])] = [
        ("a layer missing at one epoch", { try FileManager.default.removeItem(at: $0.appendingPathComponent("exported/seed1/epoch3/gauss.npy")) }, "", [],
         ["4:19: error: layer 'gauss' is missing at epoch 3: no file $DIR/exported/seed1/epoch3/gauss.npy"]),
        ("two layers missing at one epoch, each at its name", {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("exported/seed0/epoch0/gauss.npy"))
            try FileManager.default.removeItem(at: $0.appendingPathComponent("exported/seed0/epoch0/head.npy")) }, "", [],
         ["4:19: error: layer 'gauss' is missing at epoch 0: no file $DIR/exported/seed0/epoch0/gauss.npy",
          "4:26: error: layer 'head' is missing at epoch 0: no file $DIR/exported/seed0/epoch0/head.npy"]),
        ("an epoch not exported", { _ in }, "", ["activations.epochs=[0,3,5]"],
         ["error: epoch 5 was not exported: no directory $DIR/exported/seed0/epoch5",
          "error: epoch 5 was not exported: no directory $DIR/exported/seed1/epoch5"]),
        ("row counts that differ", { try NPY.write(FloatTensor(shape: [499, 3], repeating: 1), to: $0.appendingPathComponent("exported/seed0/epoch3/head.npy")) }, "", [],
         ["4:26: error: $DIR/exported/seed0/epoch3/head.npy holds 499 points but $DIR/exported/seed0/epoch0/plane.npy holds 500"]),
        ("too few labels", {
            let labels = [Int64](repeating: 1, count: 20)
            try NPY.encode(raw: labels.withUnsafeBytes { Data($0) }, descr: "<i8", shape: [20]).write(to: $0.appendingPathComponent("exported/seed0/labels.npy")) }, "", [],
         ["3:14: error: $DIR/exported/seed0/labels.npy holds 20 labels for 500 points"]),
        ("float labels", { try NPY.write(FloatTensor(shape: [500], repeating: 1), to: $0.appendingPathComponent("exported/seed1/labels.npy")) }, "", [],
         ["3:14: error: $DIR/exported/seed1/labels.npy: unsupported .npy content: dtype <f4 holds floating-point numbers; integers (int8/16/32/64, uint8/16) are needed here"]),
        ("a hostile header", { try Data(NPY.encode(raw: Data(count: 8), descr: "<f4", shape: [1 << 40, 1 << 40]))
            .write(to: $0.appendingPathComponent("exported/seed0/epoch0/plane.npy")) }, "", [],
         ["4:12: error: $DIR/exported/seed0/epoch0/plane.npy: corrupt .npy header: shape (1099511627776, 1099511627776) of 4-byte elements overflows the address space"]),
        ("replicates without a directory per seed", { _ in }, "", ["activations.directory=exported/seed0"],
         ["error: 2 replicates would all read $DIR/exported/seed0"]),
        ("a neighbour count above the points", { _ in }, "", ["estimators.mle={k: 500}"],
         ["error: estimator 'mle' needs at least 501 points, but the exported layers hold 500"]),
        ("a label-reading estimator without labels", { try FileManager.default.removeItem(at: $0.appendingPathComponent("exported/seed0/labels.npy")) },
         "", ["estimators.linear_probe={}"],
         ["error: estimator 'linear_probe' needs labels, but $DIR/exported/seed0/labels.npy does not exist"]),
    ]

    @Test("every unusable export is a located error before anything runs", arguments: cases.indices)
    func located(_ i: Int) throws {
        let c = Self.cases[i]
        let dir = try Self.export()
        defer { try? FileManager.default.removeItem(at: dir) }
        try c.damage(dir)
        // Overrides given relative paths are the shell's: give them from the export's directory.
        let overrides = c.overrides.map { $0.replacingOccurrences(of: "directory=", with: "directory=\(dir.path)/") }
        let spec = try Self.load(dir, Self.spec(extra: c.yaml), overrides: overrides)
        let found = spec.errors(ActivationsCheck.diagnostics(spec)).render().split(separator: "\n")
            .filter { $0.contains("error: ") }
            .map { String($0).replacingOccurrences(of: dir.path, with: "$DIR").replacingOccurrences(of: "$DIR/spec.yaml:", with: "") }
            // An error at an override has no line and column: keep the message.
            .map { $0.first?.isNumber == true ? $0 : String($0[($0.range(of: "error: ")?.lowerBound ?? $0.startIndex)...]) }
        #expect(found == c.errors, "\(c.id): \(found)")
    }

    @Test("validate exits 2 on a hostile header and names the file; a value that is not finite fails the import naming the file")
    func hostileAndNonFinite() throws {
        let dir = try Self.export()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.yaml")
        try Self.spec().write(to: spec, atomically: true, encoding: .utf8)
        let file = dir.appendingPathComponent("exported/seed1/epoch3/gauss.npy")
        var bytes = try Data(contentsOf: file)
        bytes.replaceSubrange(0..<6, with: Data("PK\u{3}\u{4}xx".utf8))
        try bytes.write(to: file)
        let r = try TestSupport.runAccordion(["validate", spec.path])
        #expect(r.status == 2 && r.output.contains("error: \(file.path): not a NumPy .npy file (bad magic)"), "\(r.output)")

        var values = Self.gaussian(seed: 1, epoch: 3)
        values.scalars[12 * 7 + 2] = .nan
        try NPY.write(values, to: file)
        let run = try Runner.run(try Self.load(dir, Self.spec()), options: RunOptions(resultsDirectory: dir.appendingPathComponent("R"), log: { _ in }))
        let failure = try #require(run.failures.first { $0.stage.hasPrefix("import") })
        #expect(failure.reason == "\(file.path): point 7, feature 2 is nan", "\(failure)")
    }
}
