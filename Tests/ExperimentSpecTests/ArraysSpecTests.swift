import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

@Suite("data.arrays in the spec")
struct ArraysSpecTests {
    /// A directory holding empty files `a.npy`, `b.npy`, `c.npy`, `d.npy` and `e.npz` (the
    /// decoder checks only that they are readable; their contents are checked after loading).
    static func directory() throws -> URL {
        let dir = TestSupport.temporaryDirectory("arrays-spec")
        for name in ["a.npy", "b.npy", "c.npy", "d.npy", "e.npz"] { try Data().write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    static func load(_ yaml: String, in dir: URL, overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: dir.appendingPathComponent("spec.yaml").path, defaultName: "s",
                            overrides: overrides)
    }

    /// The first line of each error, with the directory written `$DIR` and the file name dropped.
    static func errors(_ yaml: String, overrides: [String] = []) throws -> [String] {
        let dir = try directory()
        do {
            _ = try load(yaml, in: dir, overrides: overrides)
            return []
        } catch let e as SpecErrors {
            return e.render().split(separator: "\n").filter { $0.contains(": error: ") }
                .map { String($0).replacingOccurrences(of: dir.path, with: "$DIR").replacingOccurrences(of: "$DIR/spec.yaml:", with: "") }
        }
    }

    static let four = "{train_inputs: a.npy, train_labels: b.npy, test_inputs: c.npy, test_labels: d.npy}"

    @Test("relative paths are taken from the spec's directory, override paths from the current directory")
    func paths() throws {
        let dir = try Self.directory()
        let spec = try Self.load("data:\n  dataset: arrays\n  arrays: \(Self.four)\n", in: dir)
        let arrays = try #require(spec.points[0].experiment.data.arrays)
        #expect(arrays.trainInputs == dir.appendingPathComponent("a.npy").standardizedFileURL.path)
        #expect(arrays.testLabels == dir.appendingPathComponent("d.npy").standardizedFileURL.path)
        #expect(arrays.file == nil && arrays.layout == .flat && arrays.classes == nil)
        #expect(arrays.files.count == 4)
        let absolute = dir.appendingPathComponent("c.npy").path
        // a.npy exists beside the spec, not in the current directory, where an override's path is taken from.
        #expect(!FileManager.default.fileExists(atPath: "a.npy"))
        #expect(throws: SpecErrors.self) {
            _ = try Self.load("data:\n  dataset: arrays\n  arrays: \(Self.four)\n", in: dir, overrides: ["data.arrays.train_inputs=a.npy"])
        }
        let overridden = try Self.load("data:\n  dataset: arrays\n  arrays: \(Self.four)\n", in: dir,
                                       overrides: ["data.arrays.train_inputs=\(absolute)"])
        #expect(overridden.points[0].experiment.data.arrays?.trainInputs == absolute)
    }

    @Test("an archive's members default to the keys' names and only the archive must exist")
    func archive() throws {
        let dir = try Self.directory()
        let spec = try Self.load("data:\n  dataset: arrays\n  arrays: {file: e.npz, train_inputs: x_train, layout: nhwc, classes: 10}\n", in: dir)
        let arrays = try #require(spec.points[0].experiment.data.arrays)
        #expect(arrays.file == dir.appendingPathComponent("e.npz").standardizedFileURL.path)
        #expect(arrays.trainInputs == "x_train" && arrays.trainLabels == "train_labels" && arrays.testLabels == "test_labels")
        #expect(arrays.layout == .nhwc && arrays.classes == 10 && arrays.files == [arrays.file])
    }

    /// Each case: a readable id, the spec, and the first line of every error.
    static let cases: [(id: String, yaml: String, errors: [String])] = [
        ("arrays without data.arrays", "data:\n  dataset: arrays\n",
         ["2:12: error: 'data.dataset' is 'arrays' but 'data.arrays' is missing"]),
        ("a key missing", "data:\n  dataset: arrays\n  arrays: {train_inputs: a.npy, train_labels: b.npy, test_inputs: c.npy}\n",
         ["3:3: error: 'data.arrays' needs 'test_labels': the path of each .npy file"]),
        ("a missing file", "data:\n  dataset: arrays\n  arrays: {train_inputs: a.npy, train_labels: b.npy, test_inputs: c.npy, test_labels: x.npy}\n",
         ["3:87: error: cannot read '$DIR/x.npy' (data.arrays.test_labels): no such file"]),
        ("a missing archive", "data:\n  dataset: arrays\n  arrays: {file: x.npz}\n",
         ["3:18: error: cannot read '$DIR/x.npz' (data.arrays.file): no such file"]),
        ("arrays for another dataset", "data:\n  dataset: clusters\n  arrays: \(four)\nprobe: {size: 100}\n",
         ["3:3: error: 'data.arrays' is set but 'data.dataset' is 'clusters'"]),
        ("data.path with arrays", "data:\n  dataset: arrays\n  path: /tmp\n  arrays: \(four)\n",
         ["3:3: error: 'data.path' is the directory of a built-in dataset; 'data.dataset: arrays' names its files in 'data.arrays'"]),
        ("one class", "data:\n  dataset: arrays\n  arrays: {file: e.npz, classes: 1}\n",
         ["3:34: error: 'data.arrays.classes' is 1, out of range"]),
        ("an unknown layout", "data:\n  dataset: arrays\n  arrays: {file: e.npz, layout: chw}\n",
         ["3:33: error: unknown value 'chw' for 'data.arrays.layout'"]),
        ("an unknown key", "data:\n  dataset: arrays\n  arrays: {file: e.npz, train_input: a}\n",
         ["3:25: error: unknown key 'train_input' in 'data.arrays'"]),
        ("a cnn on vectors", "data:\n  dataset: arrays\n  arrays: {file: e.npz}\nmodel: {architecture: cnn}\n",
         ["4:23: error: architecture 'cnn' needs images, but data.arrays.layout is 'flat' (vectors)"]),
    ]

    @Test("each mistake in data.arrays is a located error", arguments: cases.indices)
    func located(_ i: Int) throws {
        let c = Self.cases[i]
        let found = try Self.errors(c.yaml)
        #expect(found == c.errors, "\(c.id): \(found)")
    }

    @Test("a cnn on image arrays is accepted before the arrays are read")
    func cnnOnImages() throws {
        #expect(try Self.errors("data:\n  dataset: arrays\n  arrays: {file: e.npz, layout: nchw}\nmodel: {architecture: cnn}\n") == [])
    }
}
