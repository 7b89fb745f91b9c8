import Yams

extension Experiment {
    /// Decodes one sweep-free spec tree, recording every problem in `ctx`.
    static func decode(_ root: Node, defaultName: String, ctx: DecodeContext) -> Experiment {
        var top = MapReader(root, path: [], ctx: ctx)
        let name = top.read("name", default: defaultName)
        let description = top.read("description", default: "")

        var d = top.nested("data")
        let dataset: DatasetName = d.read("dataset", default: .fashionMNIST)
        var data = DataSpec(
            dataset: dataset,
            path: d.optional("path"),
            trainSize: d.optional("train_size").flatMap { positive($0, d, "train_size") },
            testSize: d.optional("test_size").flatMap { positive($0, d, "test_size") },
            subset: d.read("subset", default: .first),
            scaling: d.read("scaling", default: .unit),
            seed: d.read("seed", default: 0),
            labels: d.read("labels", default: .fine),
            shuffleLabels: d.read("shuffle_labels", default: .none),
            shuffleFraction: d.read("shuffle_fraction", default: 1, in: 0...1),
            manifold: nil, clusters: nil)
        let manifoldGiven = d.has("manifold"), clustersGiven = d.has("clusters")
        var mf = d.nested("manifold")
        let manifold = ManifoldSpec(
            kind: mf.read("kind", default: .hypercube),
            dimension: mf.read("dimension", default: 5, in: 1...10000),
            ambient: mf.read("ambient", default: 50, in: 1...100_000),
            noise: mf.read("noise", default: 0, in: 0...1e6),
            trainPoints: mf.read("train_points", default: 2000, in: 3...10_000_000),
            testPoints: mf.read("test_points", default: 500, in: 1...10_000_000))
        mf.finish()
        var cl = d.nested("clusters")
        let clusters = ClustersSpec(
            ambient: cl.read("ambient", default: 100, in: 1...100_000),
            count: cl.read("count", default: 40, in: 2...1_000_000),
            std: cl.read("std", default: 0.1, in: 0...1e6),
            trainPerCluster: cl.read("train_per_cluster", default: 50, in: 1...1_000_000),
            testPerCluster: cl.read("test_per_cluster", default: 10, in: 1...1_000_000))
        cl.finish()
        if dataset == .manifold { data.manifold = manifold }
        if dataset == .clusters { data.clusters = clusters }
        for (given, key, owner) in [(manifoldGiven, "manifold", DatasetName.manifold), (clustersGiven, "clusters", .clusters)]
            where given && dataset != owner {
            ctx.error(d.keyNode(key), ["data", key], "'data.\(key)' is set but 'data.dataset' is '\(dataset.rawValue)'",
                      help: "set 'data.dataset: \(owner.rawValue)' or remove 'data.\(key)'", length: key.count)
        }
        if dataset == .manifold, manifold.ambient < manifold.dimension + (manifold.kind == .hypersphere ? 1 : 0) {
            ctx.error(d.child("manifold"), ["data", "manifold", "ambient"],
                      "'data.manifold.ambient' (\(manifold.ambient)) is smaller than the manifold needs",
                      help: "use an ambient dimension of at least \(manifold.dimension + (manifold.kind == .hypersphere ? 1 : 0))")
        }
        d.finish()

        var m = top.nested("model")
        let architecture: ArchitectureName = m.read("architecture", default: .mlp)
        let depth = m.read("depth", default: 3, in: 1...100)
        let width = m.read("width", default: 256, in: 1...65536)
        var widths = m.optional("widths", as: [Int].self) ?? Array(repeating: width, count: depth)
        if m.has("widths") && (m.has("depth") || m.has("width")) {
            ctx.error(m.keyNode("widths"), ["model", "widths"], "'model.widths' cannot be combined with 'model.depth' or 'model.width'",
                      help: "give either widths: [..] or depth and width", length: 6)
        }
        if let bad = widths.firstIndex(where: { $0 < 1 || $0 > 65536 }) {
            ctx.error(m.child("widths"), ["model", "widths"], "'model.widths[\(bad)]' is \(widths[bad]), out of range",
                      help: "use widths in 1...65536")
            widths = Array(repeating: width, count: depth)
        }
        if widths.isEmpty {
            ctx.error(m.child("widths"), ["model", "widths"], "'model.widths' is empty", help: "give at least one hidden width")
            widths = [width]
        }
        let model = ModelSpec(architecture: architecture, widths: widths,
                              activation: m.read("activation", default: .relu),
                              initializer: m.read("init", default: .he))
        m.finish()

        var t = top.nested("train")
        let train = TrainSpec(
            optimizer: t.read("optimizer", default: .sgd),
            lr: t.read("lr", default: 0.01, in: 1e-12...100, rangeText: "(0, 100]"),
            momentum: t.read("momentum", default: 0.9, in: 0...0.999999, rangeText: "[0, 1)"),
            nesterov: t.read("nesterov", default: false),
            weightDecay: t.read("weight_decay", default: 0, in: 0...1),
            batchSize: t.read("batch_size", default: 64, in: 1...65536),
            epochs: t.read("epochs", default: 1, in: 0...10000),
            seed: t.read("seed", default: 0))
        t.finish()

        var p = top.nested("probe")
        let probeEpochsNode = p.child("epochs")
        var probeEpochs = p.read("epochs", default: Array(Set([0, train.epochs])).sorted())
        for (i, e) in probeEpochs.enumerated() where e < 0 || e > train.epochs {
            let item: Node? = probeEpochsNode.flatMap { n in
                if case .sequence(let s) = n, i < s.count { return s[i] } else { return n }
            }
            ctx.error(item, ["probe", "epochs"], "probe epoch \(e) is beyond the last epoch (\(train.epochs))",
                      help: "use epochs in 0...\(train.epochs), or raise train.epochs")
        }
        probeEpochs = Array(Set(probeEpochs.filter { $0 >= 0 && $0 <= train.epochs })).sorted()
        let split: Split = p.read("split", default: .test)
        let probeSizeNode = p.child("size")
        var probeSize = p.read("size", default: 1000, in: 3...1_000_000)
        let sizes = data.splitSizes ?? (60000, 10000)
        let available = split == .train ? sizes.train : sizes.test
        if probeSize > available {
            ctx.error(probeSizeNode, ["probe", "size"], "probe size \(probeSize) exceeds the \(available) \(split.rawValue) examples in use",
                      help: "use probe.size ≤ \(available)")
            probeSize = available
        }
        let layerNodes = p.child("layers")
        let layers = p.read("layers", default: [String]())
        let probeNames = ["input"] + widths.indices.map { "h\($0 + 1)" } + ["logits"]
        for (i, layer) in layers.enumerated() where !probeNames.contains(layer) {
            let item: Node? = layerNodes.flatMap { n in
                if case .sequence(let s) = n, i < s.count { return s[i] } else { return n }
            }
            var help = "this model's layers are: " + probeNames.joined(separator: ", ")
            if let near = closest(to: layer, in: probeNames) { help = "did you mean '\(near)'? (\(help))" }
            ctx.error(item, ["probe", "layers"], "no layer named '\(layer)' in this model", help: help)
        }
        let probe = ProbeSpec(epochs: probeEpochs, size: probeSize, split: split,
                              seed: p.read("seed", default: 0), layers: layers.filter(probeNames.contains))
        p.finish()

        var e = top.nested("estimators")
        let sectionGiven = e.mapping != nil
        let hasPR = e.has("pr")
        var prReader = e.nested("pr")
        prReader.finish()
        var estimators = EstimatorsSpec(pr: hasPR ? .init() : nil)
        e.finish()
        if !sectionGiven {
            estimators.pr = .init()
        } else if estimators.names.isEmpty && ctx.diagnostics.isEmpty {
            ctx.error(e.node, ["estimators"], "'estimators' names no estimator", help: "add one, e.g. 'pr: {}'")
        }

        var x = top.nested("execution")
        let execution = ExecutionSpec(executor: x.read("executor", default: .local),
                                      jobs: x.read("jobs", default: 0, in: 0...1024),
                                      threads: x.read("threads", default: 1, in: 1...256))
        x.finish()
        top.finish()

        return Experiment(name: name, description: description, data: data, model: model, train: train,
                          probe: probe, estimators: estimators, execution: execution)
    }

    /// Probe point names of this experiment's model, in depth order.
    public var layerNames: [String] { ["input"] + model.widths.indices.map { "h\($0 + 1)" } + ["logits"] }

    /// The layers to probe: the named ones, or all.
    public var probedLayers: [String] { probe.layers.isEmpty ? layerNames : layerNames.filter(probe.layers.contains) }
}

private func positive(_ value: Int, _ reader: MapReader, _ key: String) -> Int? {
    if value < 1 {
        reader.ctx.error(reader.child(key), reader.path + [key], "'\(dotted(reader.path + [key]))' is \(value), out of range",
                         help: "use a positive count, or omit it to use the whole split")
        return nil
    }
    return value
}
