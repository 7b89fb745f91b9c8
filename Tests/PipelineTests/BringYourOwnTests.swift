import AccordionTestSupport
import Datasets
import Foundation
import ResultBundles
import Tensors
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// `data.dataset: arrays`: the shipped example, a run through the real binary, located errors
/// from `validate` and `plan`, and stage keys that follow the files.
@Suite("Bring your own arrays", .serialized)
struct BringYourOwnTests {
    static let example = TestSupport.repositoryRoot.appendingPathComponent("Experiments/bring-your-own.yaml")
    static let archive = TestSupport.repositoryRoot.appendingPathComponent("Experiments/data/bring-your-own.npz")

    /// Writes the example's four arrays as separate `.npy` files; returns the directory.
    static func writeNPY() throws -> URL {
        let dir = TestSupport.temporaryDirectory("byo")
        for (name, npy) in BringYourOwnData.arrays() { try npy.write(to: dir.appendingPathComponent(name + ".npy")) }
        return dir
    }

    @Test("the shipped archive holds exactly the arrays the generator makes")
    func shippedArchive() throws {
        guard FileManager.default.fileExists(atPath: Self.archive.path) else {
            try BringYourOwnData.archive().write(to: Self.archive)
            Issue.record("wrote \(Self.archive.path); commit it")
            return
        }
        let data = try Data(contentsOf: Self.archive)
        for (name, npy) in BringYourOwnData.arrays() {
            #expect(try NPZ.member(name, of: data, name: Self.archive.path) == npy, "\(name)")
        }
        #expect(data.count < 64 * 1024)
    }

    @Test("bring-your-own.yaml runs end to end through the accordion binary on .npy files the test writes")
    func endToEnd() throws {
        let dir = try Self.writeNPY()
        let results = TestSupport.temporaryDirectory("byo-results")
        defer { try? FileManager.default.removeItem(at: results); try? FileManager.default.removeItem(at: dir) }
        // Relative paths in overrides are the shell's: run from the arrays' directory.
        let overrides = ["data.arrays.file=~", "data.arrays.train_inputs=x_train.npy", "data.arrays.train_labels=y_train.npy",
                         "data.arrays.test_inputs=x_test.npy", "data.arrays.test_labels=y_test.npy"]
        let r = try TestSupport.runAccordion(["run", Self.example.path, "--results", results.path] + overrides, directory: dir)
        #expect(r.status == 0, "\(r.output)")
        let bundle = try #require(r.output.split(separator: "\n").last { $0.hasPrefix("bundle: ") }.map { String($0.dropFirst(8)) })
        let reader = try BundleReader(URL(fileURLWithPath: bundle, relativeTo: dir))
        #expect(reader.manifest.status == .complete)
        #expect(BundleVerifier.integrity(reader).isEmpty)
        // The task is learnable: five epochs reach well above chance (1/3) on the test images.
        let metrics = try FileManager.default.subpathsOfDirectory(atPath: reader.layout.root.path).filter { $0.hasSuffix("metrics.jsonl") }
        let last = try #require(metrics.first.flatMap { try? String(contentsOf: reader.layout.root.appendingPathComponent($0), encoding: .utf8) }?
            .split(separator: "\n").last)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let accuracy = try #require(record["test_accuracy"] as? Double)
        #expect(accuracy > 0.9, "test accuracy \(accuracy)")
        // A rerun from another directory finds the arrays where the original run did, and agrees bit for bit.
        let again = try TestSupport.runAccordion(["rerun", reader.layout.root.path, "--results", results.path], directory: results)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("\nidentical"), "\(again.output)")
    }

    @Test("the smoke run of the example reads the split sizes from the archive")
    func smokeSizes() throws {
        let full = try SpecLoader.load(path: Self.example.path)
        let overrides = SpecLoader.smokeOverrides(for: full, splitSizes: ArraysCheck.splitSizes)
        #expect(overrides.contains("data.train_size=600") && overrides.contains("data.test_size=150") && overrides.contains("probe.size=150"))
        #expect(SpecLoader.smokeOverrides(for: full).contains("data.train_size=2000"))
    }

    /// Each case: a readable id, a spec's `data:` block written over the four files of
    /// ``writeNPY()`` (with replacements), and the first line of every error expected.
    static let located: [(id: String, data: String, replace: [String: Data], errors: [String])] = [
        ("a missing file", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: nope.npy, test_labels: y_test.npy, layout: nhwc}",
         [:], ["4:79: error: cannot read '$DIR/nope.npy' (data.arrays.test_inputs): no such file"]),
        ("float labels", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}",
         ["y_train": NPY.encode(FloatTensor(shape: [600], scalars: Array(repeating: 0, count: 600)))],
         ["4:53: error: 'data.arrays.train_labels': $DIR/y_train.npy: unsupported .npy content: dtype <f4 holds floating-point numbers; integers (int8/16/32/64, uint8/16) are needed here"]),
        ("an unknown dtype", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}",
         ["x_test": NPY.encode(raw: Data(count: 8), descr: "<c8", shape: [1])],
         ["4:79: error: 'data.arrays.test_inputs': $DIR/x_test.npy: unsupported .npy content: dtype <c8; expected float32/64, int8/16/32/64 or uint8/16"]),
        ("images with layout flat", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy}",
         [:], ["4:26: error: 'data.arrays.layout': layout 'flat' needs inputs of rank 2 (N×D), but $DIR/x_train.npy has shape (600, 8, 8, 1)"]),
        ("train and test shapes differ", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}",
         ["x_test": NPY.encode(raw: Data(count: 150 * 49), descr: "|u1", shape: [150, 7, 7, 1])],
         ["4:79: error: 'data.arrays.test_inputs': test examples have shape (7, 7, 1) but train examples have (8, 8, 1)"]),
        ("more labels than inputs", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}",
         ["y_test": NPY.encode(raw: Data(count: 151 * 8), descr: "<i8", shape: [151])],
         ["4:104: error: 'data.arrays.test_labels': $DIR/y_test.npy holds 151 labels but $DIR/x_test.npy holds 150 examples"]),
        ("a label beyond classes", "  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc, classes: 2}",
         [:], ["4:53: error: 'data.arrays.train_labels': $DIR/y_train.npy holds the label 2 at index 3, outside 0..<2",
               "4:104: error: 'data.arrays.test_labels': $DIR/y_test.npy holds the label 2 at index 1, outside 0..<2"]),
        ("a bad archive member", "  arrays: {file: data.npz, train_inputs: x_train, train_labels: labels, test_inputs: x_test, test_labels: y_test, layout: nhwc}",
         [:], ["4:65: error: 'data.arrays.train_labels': $DIR/data.npz has no member 'labels'; it holds 'x_train', 'y_train', 'x_test', 'y_test'"]),
        ("a truncated archive", "  arrays: {file: cut.npz, layout: nhwc}",
         [:], ["4:18: error: 'data.arrays.file': $DIR/cut.npz is corrupt: the central directory (226 bytes at 19683) lies outside the file"]),
        ("a train size beyond the arrays", "  arrays: {file: data.npz, train_inputs: x_train, train_labels: y_train, test_inputs: x_test, test_labels: y_test, layout: nhwc}\n  train_size: 601",
         [:], ["5:15: error: 'data.train_size' is 601 but the training split has 600 examples"]),
    ]

    @Test("train.steps, a full batch and probe.size are decoded against the arrays' sizes")
    func sizesAtDecode() throws {
        let dir = try Self.writeNPY()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = "data:\n  dataset: arrays\n  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy}\n"
        func load(_ rest: String) throws -> LoadedSpec {
            try SpecLoader.load(data: Data(("name: s\n" + data + rest).utf8), file: dir.appendingPathComponent("s.yaml").path,
                                defaultName: "s", arraySizes: ArraysCheck.fullSizes)
        }
        // 600 examples in batches of 32: 19 steps per epoch, so 100 steps end in epoch 6.
        let steps = try load("train: {steps: 100, batch_size: 32}\nprobe: {size: 100}\n").points[0].experiment.train
        #expect(steps.steps == 100 && steps.epochs == 6)
        #expect(try load("train: {batch_size: full}\nprobe: {size: 100}\n").points[0].experiment.train.batchSize == 600)
        do {
            _ = try load("probe: {size: 151}\n")
            Issue.record("a probe set larger than the test arrays was accepted")
        } catch let errors as SpecErrors {
            #expect(errors.render().contains("s.yaml:5:15: error: probe size 151 exceeds the 150 test examples in use"), "\(errors.render())")
        }
    }

    @Test("a cnn whose pooling halves the arrays' images to nothing is a located error before anything runs")
    func cnnTooDeep() throws {
        let dir = try Self.writeNPY()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.yaml")
        try "name: deep\ndata:\n  dataset: arrays\n  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}\nmodel: {architecture: cnn, channels: [4, 4, 4, 4]}\nprobe: {size: 100}\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try TestSupport.runAccordion(["validate", "spec.yaml"], directory: dir)
        #expect(r.status == 2, "\(r.output)")
        let errors = r.output.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors == ["spec.yaml:5:38: error: the cnn does not fit the arrays' 1×8×8 images: cnn stage 4 would pool a 1×1 map: a 8×8 input allows at most 3 pooled stages (use fewer channels entries or pooling: none)"],
                "\(r.output)")
        let fits = try TestSupport.runAccordion(["plan", "spec.yaml", "model.channels=[4,4,4]"], directory: dir)
        #expect(fits.status == 0, "\(fits.output)")
    }

    @Test("validate and plan report each problem with the arrays at the key that names them", arguments: located.indices)
    func locatedErrors(_ i: Int) throws {
        let c = Self.located[i]
        let dir = try Self.writeNPY()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, data) in c.replace { try data.write(to: dir.appendingPathComponent(name + ".npy")) }
        let archive = try BringYourOwnData.archive()
        try archive.write(to: dir.appendingPathComponent("data.npz"))
        try (archive.prefix(archive.count / 2) + archive.suffix(22)).write(to: dir.appendingPathComponent("cut.npz"))
        let spec = dir.appendingPathComponent("spec.yaml")
        try "name: byo\ndata:\n  dataset: arrays\n\(c.data)\nmodel: {depth: 1, width: 8}\nprobe: {size: 100}\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        for command in ["validate", "plan"] {
            let r = try TestSupport.runAccordion([command, "spec.yaml"], directory: dir)
            #expect(r.status == 2, "\(c.id) \(command): \(r.output)")
            let errors = r.output.split(separator: "\n").filter { $0.contains(": error: ") }
                .map { String($0).replacingOccurrences(of: dir.path, with: "$DIR") }
            #expect(errors.count == c.errors.count, "\(c.id) \(command): \(r.output)")
            for (line, expected) in zip(errors, c.errors) {
                #expect(line == "spec.yaml:" + expected, "\(c.id) \(command)")
            }
        }
    }

    @Test("subsets, label shuffling and standardisation apply to arrays as to every dataset")
    func controls() throws {
        let dir = try Self.writeNPY()
        defer { try? FileManager.default.removeItem(at: dir) }
        let four = "{train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}"
        func prepared(_ extra: String) throws -> PreparedData {
            let yaml = "name: c\ndata:\n  dataset: arrays\n  arrays: \(four)\n\(extra)probe: {size: 50}\n"
            let spec = try SpecLoader.load(data: Data(yaml.utf8), file: dir.appendingPathComponent("c.yaml").path, defaultName: "c")
            return try DataStage.prepare(spec.points[0].experiment.data)
        }
        let plain = try prepared("")
        #expect(plain.train.count == 600 && plain.test.count == 150 && plain.train.classes == 3)
        #expect(plain.train.imageShape == ImageShape(channels: 1, height: 8, width: 8))
        #expect(plain.train.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        let subset = try prepared("  train_size: 90\n  test_size: 60\n  subset: stratified\n")
        #expect(subset.train.count == 90 && subset.test.count == 60 && subset.train.classCounts == [30, 30, 30])
        #expect(subset.fingerprint != plain.fingerprint)
        let shuffled = try prepared("  shuffle_labels: train\n")
        #expect(shuffled.train.labels != plain.train.labels && shuffled.train.labels.sorted() == plain.train.labels.sorted())
        #expect(shuffled.test.labels == plain.test.labels)
        let standardized = try prepared("  scaling: standardize\n")
        let mean = standardized.train.inputs.scalars.reduce(0, +) / Float(standardized.train.inputs.scalars.count)
        #expect(abs(mean) < 1e-4)
    }

    @Test("data stage parameters of the other datasets are unchanged by data.arrays")
    func otherKeysUnchanged() throws {
        let spec = try SpecLoader.load(data: Data("name: k\ndata: {dataset: clusters}\nprobe: {size: 100}\n".utf8), file: "k.yaml", defaultName: "k")
        let params = DataParams(data: spec.points[0].experiment.data, files: DataParams.stamp(spec.points[0].experiment.data))
        let json = String(decoding: try StageKeys.canonicalJSON(params), as: UTF8.self)
        #expect(!json.contains("arrays") && json.hasPrefix("{\"data\":{\"clusters\":"), "\(json)")
        #expect(ResolvedSpec(spec).specDirectory == nil)
    }

    @Test("accordion datasets lists your own arrays")
    func catalogue() throws {
        let r = try TestSupport.runAccordion(["datasets"])
        #expect(r.status == 0)
        #expect(r.output.contains("your own data (checked when a spec names it):\n  dataset: arrays  your own .npy files or one .npz archive"), "\(r.output)")
    }

    @Test("the data stage key and the fingerprint change when an array file changes")
    func keysFollowFiles() throws {
        let dir = try Self.writeNPY()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.yaml")
        try """
            name: byo
            data:
              dataset: arrays
              arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy, layout: nhwc}
            model: {architecture: cnn, channels: [4]}
            probe: {size: 100}
            """.write(to: spec, atomically: true, encoding: .utf8)
        func keyAndFingerprint() throws -> (String, String) {
            let loaded = try SpecLoader.load(path: spec.path)
            let graph = try StageGraph.compile(loaded)
            let key = try #require(graph.pointStages[0]?.data)
            return (key, try DataStage.prepare(loaded.points[0].experiment.data).fingerprint)
        }
        let (key1, fingerprint1) = try keyAndFingerprint()
        #expect(try keyAndFingerprint() == (key1, fingerprint1))
        // The same size, one pixel brighter, written straight away.
        var pixels = BringYourOwnData.arrays()[2].npy
        pixels[pixels.count - 1] ^= 0x01
        try pixels.write(to: dir.appendingPathComponent("x_test.npy"))
        let (key2, fingerprint2) = try keyAndFingerprint()
        #expect(key2 != key1)
        #expect(fingerprint2 != fingerprint1)
    }
}
