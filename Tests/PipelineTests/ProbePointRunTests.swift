import AccordionTestSupport
import Datasets
import Foundation
import NeuralNets
import ResultBundles
import Tensors
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// Probe points inside stages, through the model factory, the stage graph and the command line.
@Suite("Probe points end to end", .serialized)
struct ProbePointRunTests {
    static func experiment(_ model: String) throws -> Experiment {
        let spec = try SpecLoader.load(data: Data("model: \(model)\nprobe: {layers: all, size: 100}\ndata: {test_size: 200}\n".utf8),
                                       file: "m.yaml", defaultName: "m")
        return try #require(spec.points.first?.experiment)
    }

    static func data(_ shape: ImageShape?) -> PreparedData {
        let features = shape.map { $0.channels * $0.height * $0.width } ?? 784
        let set = LabeledSet(inputs: FloatTensor(shape: [4, features]), labels: [0, 1, 2, 3], classes: 10, imageShape: shape)
        return PreparedData(train: set, test: set, fingerprint: "", source: "test")
    }

    @Test("the engine's probe list equals the spec's for every configuration (main points and all)", arguments: [
        "{depth: 1, width: 8}", "{depth: 3, width: 8}", "{widths: [8, 4, 6, 2, 5]}",
        "{architecture: cnn, channels: [4, 4], widths: [8], batch_norm: false, pooling: max}",
        "{architecture: cnn, channels: [4, 4], widths: [8], batch_norm: true, pooling: max}",
        "{architecture: cnn, channels: [4], widths: [], batch_norm: true, pooling: average}",
        "{architecture: cnn, channels: [4, 4, 4], widths: [8, 8], batch_norm: false, pooling: none}",
        "{architecture: cnn, channels: [4, 4], widths: [8], batch_norm: true, pooling: none, dropout: 0.5}",
        "{architecture: resnet, depth: 8, width: 2}", "{architecture: resnet, depth: 14, width: 2}",
    ])
    func engineMatchesSpec(model: String) throws {
        let e = try Self.experiment(model)
        let shape: ImageShape? = e.model.architecture == .mlp ? nil : ImageShape(channels: 1, height: 28, width: 28)
        let net = try ModelFactory.build(e.model, data: Self.data(shape), seed: 1)
        #expect(net.probeNames == e.model.allLayerNames)
        #expect(net.mainProbeNames == e.model.layerNames)
        #expect(e.probedLayers == net.probeNames)
        #expect(net.probeNames.count > net.mainProbeNames.count)
    }

    @Test("the committed bundles' specs compile to the same stages: omitting probe.layers probes what it always did")
    func committedBundlesKeepTheirKeys() throws {
        let root = TestSupport.repositoryRoot.appendingPathComponent("Results")
        let bundles = BundleReader.bundles(under: root)
        var compared: [String] = []
        for bundle in bundles {
            let layout = BundleLayout(root: bundle)
            let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: layout.bundleJSON))
            let overrides = (try? String(contentsOf: layout.overrides, encoding: .utf8))?
                .split(separator: "\n").map(String.init).filter { !$0.isEmpty } ?? []
            let spec = try SpecLoader.load(data: Data(contentsOf: layout.spec), file: "spec.yaml",
                                           defaultName: manifest.experiment, overrides: overrides)
            let graph = try StageGraph.compile(spec)
            let recorded = manifest.stages.filter { $0.kind == .data }.map(\.key)
            // A data stage's key stamps the dataset files' sizes and times: only bundles made from
            // these very files can be compared (the synthetic manifolds always can).
            guard Set(recorded) == Set(graph.stages.filter { $0.kind == .data }.map(\.key)) else { continue }
            // Stage names spell out point, epoch, layer and estimator, so the same names mean the
            // same probes and estimates. (Keys change whenever a stage kind's format version or an
            // estimator default does; the names must not.) The claims stage is new since some bundles.
            let now = Set(graph.stages.filter { $0.kind != .claims }.map { "\($0.kind.rawValue) \($0.name)" })
            let then = Set(manifest.stages.filter { $0.kind != .claims }.map { "\($0.kind.rawValue) \($0.name)" })
            #expect(now == then, "\(manifest.experiment): \(now.symmetricDifference(then).sorted().prefix(6))")
            compared.append(manifest.experiment)
        }
        #expect(compared.contains("manifolds"), "compared: \(compared)")
    }

    @Test("accordion run with probe.layers: all records and estimates every inner point")
    func runAll() throws {
        let results = TestSupport.temporaryDirectory("probe-all")
        let spec = try TestSupport.writeSpec("""
            name: probe-all
            data: {train_size: 1000, test_size: 200}
            model: {depth: 2, width: 32}
            train: {epochs: 1, seed: 2}
            probe: {epochs: [1], size: 150, layers: all}
            estimators: {pr: {}, twonn: {}}

            """)
        let run = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(run.status == 0, "\(run.output)")
        let bundle = try #require(BundleReader.bundles(under: results).first)
        let csv = try String(contentsOf: BundleLayout(root: bundle).results, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = csv[0].split(separator: ",").map(String.init)
        let layer = try #require(header.firstIndex(of: "layer")), index = try #require(header.firstIndex(of: "layer_index"))
        let estimator = try #require(header.firstIndex(of: "estimator")), value = try #require(header.firstIndex(of: "value"))
        let rows = csv.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let expected = ["input", "h1.pre", "h1", "h2.pre", "h2", "logits"]
        #expect(rows.count == expected.count * 2)
        for (i, name) in expected.enumerated() {
            for est in ["pr", "twonn"] {
                let row = rows.first { $0[layer] == name && $0[estimator] == est }
                #expect(row?[index] == String(i), "\(name) \(est)")
                #expect(row.flatMap { Double($0[value]) }.map { $0.isFinite && $0 >= 1 } == true, "\(name) \(est): \(row ?? [])")
            }
        }
        let manifest = try JSONDecoder().decode(BundleManifest.self, from: Data(contentsOf: BundleLayout(root: bundle).bundleJSON))
        #expect(manifest.status == .complete)
        #expect(manifest.stages.filter { $0.kind == .estimate && $0.name.contains(".pre,") }.count == 4)
        #expect(manifest.files.contains { $0.path.hasSuffix("/h2.pre.npy") })
        // ReLU sets the negative half of each pre-activation to zero: at least the files differ.
        let pre = try #require(manifest.files.first { $0.path.hasSuffix("/h1.pre.npy") })
        let post = try #require(manifest.files.first { $0.path.hasSuffix("/h1.npy") })
        #expect(pre.sha256 != post.sha256)
    }
}
