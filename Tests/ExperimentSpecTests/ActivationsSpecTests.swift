import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

@Suite("activations in the spec")
struct ActivationsSpecTests {
    /// A directory holding an empty `exported/` directory (the decoder checks only that the
    /// directory exists; the files are checked by the pipeline).
    static func directory() throws -> URL {
        let dir = TestSupport.temporaryDirectory("activations-spec")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("exported"), withIntermediateDirectories: true)
        return dir
    }

    static func load(_ yaml: String, in dir: URL, overrides: [String] = []) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: dir.appendingPathComponent("spec.yaml").path, defaultName: "s",
                            overrides: overrides)
    }

    /// The first line of each error, with the directory written `$DIR` and the file name dropped.
    static func errors(_ yaml: String) throws -> [String] {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try load(yaml, in: dir)
            return []
        } catch let e as SpecErrors {
            return e.render().split(separator: "\n").filter { $0.contains(": error: ") }
                .map { String($0).replacingOccurrences(of: dir.path, with: "$DIR").replacingOccurrences(of: "$DIR/spec.yaml:", with: "") }
        }
    }

    @Test("the section resolves its directory from the spec's and stands in for the probe's epochs and layers")
    func decoded() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.load("activations:\n  directory: exported\n  layers: [embed, blocks.0, head]\n  epochs: [10, 0, 10]\nestimators: {twonn: {}}\n", in: dir)
        let e = spec.points[0].experiment
        let a = try #require(e.activations)
        #expect(a.directory == dir.appendingPathComponent("exported").standardizedFileURL.path)
        #expect(a.layers == ["embed", "blocks.0", "head"] && a.epochs == [0, 10] && a.format == .npy)
        #expect(a.file(epoch: 10, layer: "blocks.0", seed: 0) == a.directory + "/epoch10/blocks.0.npy")
        #expect(e.probe.epochs == [0, 10] && e.train.epochs == 10)
        #expect(e.layerNames == a.layers && e.probedLayers == a.layers)
        #expect(LayerRef.resolve(LayerRef.lastHidden, in: e.layerNames) == "blocks.0")
        // Without the section nothing changes: the resolved spec carries no 'activations' key.
        let plain = try Self.load("model: {depth: 2}\n", in: dir)
        #expect(plain.points[0].experiment.activations == nil)
        let json = try JSONEncoder().encode(plain.points[0].experiment)
        #expect(!String(decoding: json, as: UTF8.self).contains("activations"))
    }

    @Test("'{seed}' names one directory per replicate, filled in with train.seed")
    func perSeed() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.load("activations:\n  directory: exported/seed{seed}\n  layers: [a, b]\n  format: safetensors\nreplicates: 2\n", in: dir)
        #expect(spec.points.count == 2)
        let a = try #require(spec.points[1].experiment.activations)
        #expect(a.perSeed && spec.points[1].experiment.train.seed == 1)
        #expect(a.file(epoch: 0, layer: "b", seed: 1) == dir.appendingPathComponent("exported").standardizedFileURL.path + "/seed1/epoch0.safetensors")
        #expect(a.labels(seed: 1).hasSuffix("/exported/seed1/labels.npy"))
    }

    /// Each case: a readable id, the spec, and the first line of every error.
    static let cases: [(id: String, yaml: String, errors: [String])] = [
        ("no directory", "activations:\n  layers: [a]\n",
         ["1:1: error: 'activations' needs 'directory': where the exported files are"]),
        ("no layers", "activations:\n  directory: exported\n",
         ["1:1: error: 'activations' needs 'layers': the layers' names in depth order"]),
        ("a missing directory", "activations:\n  directory: nowhere\n  layers: [a]\n",
         ["2:14: error: cannot read the directory '$DIR/nowhere' (activations.directory): no such directory"]),
        ("a layer name with a slash", "activations:\n  directory: exported\n  layers: [a, ../b]\n",
         ["3:15: error: layer name '../b' starts with '.'"]),
        ("a layer listed twice", "activations:\n  directory: exported\n  layers: [a, b, a]\n",
         ["3:18: error: layer 'a' is listed twice"]),
        ("an empty layer list", "activations:\n  directory: exported\n  layers: []\n",
         ["3:11: error: 'activations.layers' lists 0 layers"]),
        ("a negative epoch", "activations:\n  directory: exported\n  layers: [a]\n  epochs: [0, -1]\n",
         ["4:15: error: epoch -1 is out of range"]),
        ("an unknown format", "activations:\n  directory: exported\n  layers: [a]\n  format: pt\n",
         ["4:11: error: unknown value 'pt' for 'activations.format'"]),
        ("an unknown key", "activations:\n  directory: exported\n  layers: [a]\n  epoch: [1]\n",
         ["4:3: error: unknown key 'epoch' in 'activations'"]),
        ("a model beside", "activations: {directory: exported, layers: [a]}\nmodel: {depth: 2}\n",
         ["2:1: error: 'model' does not apply to imported activations: they were computed elsewhere"]),
        ("a training key beside", "activations: {directory: exported, layers: [a]}\ntrain: {lr: 0.1, seed: 3}\n",
         ["2:9: error: 'train.lr' does not apply to imported activations: they were computed elsewhere"]),
        ("a probe beside", "activations: {directory: exported, layers: [a]}\nprobe: {size: 10}\n",
         ["2:1: error: 'probe' does not apply to imported activations: they were computed elsewhere"]),
        ("a correlation with a training metric",
         "activations: {directory: {grid: [exported, exported/., exported/..]}, layers: [a, b, c]}\nestimators: {pr: {}}\n"
            + "claims:\n  - {id: c, statement: s, estimator: pr, kind: correlation, cell: {layer: b, epoch: last}, against: test_accuracy, direction: increase}\n",
         ["4:101: error: claim 'c': 'test_accuracy' is a training metric, and imported activations have none"]),
    ]

    @Test("each mistake in activations is a located error", arguments: cases.indices)
    func located(_ i: Int) throws {
        let c = Self.cases[i]
        let found = try Self.errors(c.yaml)
        #expect(found == c.errors, "\(c.id): \(found)")
    }

    @Test("a cells claim may name the user's layers, last_hidden and the last exported epoch")
    func claims() throws {
        #expect(try Self.errors("activations: {directory: exported, layers: [a, b, c], epochs: [0, 7]}\nestimators: {pr: {}}\n"
            + "claims:\n  - {id: x, statement: s, estimator: pr, kind: cells, cell: {layer: last_hidden, epoch: last}, baseline: {layer: a, epoch: 0}, direction: increase}\n") == [])
        let found = try Self.errors("activations: {directory: exported, layers: [a, b]}\nestimators: {pr: {}}\n"
            + "claims:\n  - {id: x, statement: s, estimator: pr, kind: cells, cell: {layer: z, epoch: 0}, baseline: {layer: a, epoch: 0}, direction: increase}\n")
        #expect(found.count == 1 && found[0].contains("'z'"), "\(found)")
    }
}
