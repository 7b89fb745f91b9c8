import Foundation
import Testing
@testable import ExperimentSpec

/// `probe.layers`: the default set, the `all` and `main` shorthands, inner probe points, and how
/// they reach the tables' layer order and the claims.
@Suite("Probe layers")
struct ProbeLayersTests {
    static func experiment(_ yaml: String, _ overrides: [String] = []) throws -> Experiment {
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s", overrides: overrides)
        return try #require(spec.points.first?.experiment)
    }

    @Test("without probe.layers the main points are probed, indexed as before")
    func defaultSet() throws {
        let e = try Self.experiment("model: {depth: 2}\n")
        #expect(e.probe.layers == [])
        #expect(e.probedLayers == ["input", "h1", "h2", "logits"])
        #expect(e.layerNames == ["input", "h1", "h2", "logits"])
        #expect(e.model.allLayerNames == ["input", "h1.pre", "h1", "h2.pre", "h2", "logits"])
    }

    @Test("'all' probes every point; the tables then index the full list")
    func all() throws {
        let e = try Self.experiment("model: {depth: 2}\nprobe: {layers: all}\n")
        #expect(e.probe.layers == ["input", "h1.pre", "h1", "h2.pre", "h2", "logits"])
        #expect(e.probedLayers == e.probe.layers)
        #expect(e.layerNames == e.probe.layers)
        #expect(try Self.experiment("model: {depth: 2}\n", ["probe.layers=all"]).probe.layers == e.probe.layers)
    }

    @Test("'main' is the default set; group words mix with names in depth order, without duplicates")
    func mixed() throws {
        let main = try Self.experiment("model: {depth: 2}\nprobe: {layers: main}\n")
        #expect(main.probedLayers == ["input", "h1", "h2", "logits"])
        #expect(main.layerNames == ["input", "h1", "h2", "logits"])
        let mixed = try Self.experiment("model: {depth: 2}\nprobe: {layers: [h2.pre, main, h1]}\n")
        #expect(mixed.probe.layers == ["h2.pre", "input", "h1", "h2", "logits"])
        #expect(mixed.probedLayers == ["input", "h1", "h2.pre", "h2", "logits"])
        #expect(mixed.layerNames.firstIndex(of: "h2") == 4)
        // A plain list is kept as written, so existing specs resolve as they did.
        let plain = try Self.experiment("model: {depth: 2}\nprobe: {layers: [logits, h1, h1]}\n")
        #expect(plain.probe.layers == ["logits", "h1", "h1"])
        #expect(plain.layerNames == ["input", "h1", "h2", "logits"])
    }

    struct Architecture: CustomTestStringConvertible, Sendable {
        var yaml: String
        var all: [String]
        var main: [String]
        var testDescription: String { yaml }
    }

    @Test("each architecture names its inner points", arguments: [
        Architecture(yaml: "model: {architecture: cnn, channels: [4, 8], widths: [16], batch_norm: true}",
                     all: ["input", "conv1.pre", "conv1.bn", "conv1.act", "conv1", "conv2.pre", "conv2.bn", "conv2.act", "conv2",
                           "h1.pre", "h1", "logits"],
                     main: ["input", "conv1", "conv2", "h1", "logits"]),
        Architecture(yaml: "model: {architecture: cnn, channels: [4], widths: [], pooling: none}",
                     all: ["input", "conv1.pre", "conv1", "logits"], main: ["input", "conv1", "logits"]),
        Architecture(yaml: "model: {architecture: resnet, depth: 8}",
                     all: ["input", "conv1.pre", "conv1.bn", "conv1", "block1.sum", "block1", "block2.sum", "block2",
                           "block3.sum", "block3", "pool", "logits"],
                     main: ["input", "conv1", "block1", "block2", "block3", "pool", "logits"]),
    ])
    func architectures(_ a: Architecture) throws {
        let e = try Self.experiment(a.yaml + "\nprobe: {layers: all}\n")
        #expect(e.model.allLayerNames == a.all)
        #expect(e.model.layerNames == a.main)
        #expect(e.probedLayers == a.all)
    }

    @Test("claims accept inner points once they are probed; last_hidden stays the last hidden layer")
    func claims() throws {
        let yaml = """
            model: {depth: 2}
            train: {epochs: 1}
            probe: {layers: all}
            replicates: 2
            claims:
              - {id: relu-expands, statement: s, estimator: pr, kind: cells, direction: increase,
                 cell: {layer: h2, epoch: last}, baseline: {layer: h2.pre, epoch: last}}

            """
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
        #expect(spec.claims.first?.baseline?.layer == "h2.pre")
        let names = try #require(spec.points.first?.experiment.layerNames)
        #expect(LayerRef.resolve("last_hidden", in: names) == "h2")
        #expect(LayerRef.resolve("h2.pre", in: names) == "h2.pre")
    }
}
