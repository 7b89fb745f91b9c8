import Foundation
import Yams

extension Experiment {
    /// Decodes one sweep-free spec tree, recording every problem in `ctx`.
    static func decode(_ root: Node, defaultName: String, ctx: DecodeContext) -> Experiment {
        var top = MapReader(root, path: [], ctx: ctx)
        var name = top.read("name", default: defaultName)
        if let problem = Experiment.nameProblem(name) {
            ctx.error(top.child("name"), ["name"], "'name' \(problem): bundles go to Results/<name>/",
                      help: "use \(Experiment.nameCharacters), e.g. name: width-sweep")
            name = defaultName
        }
        let description = top.read("description", default: "")
        let activations = decodeActivations(&top, ctx: ctx)
        if activations != nil { checkImportedSections(top, ctx: ctx) }

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
        var clusters = ClustersSpec(
            ambient: cl.read("ambient", default: 100, in: 1...100_000),
            count: cl.read("count", default: 40, in: 2...1_000_000),
            std: cl.read("std", default: 0.1, in: 0...1e6),
            trainPerCluster: cl.read("train_per_cluster", default: 50, in: 1...1_000_000),
            testPerCluster: cl.read("test_per_cluster", default: 10, in: 1...1_000_000))
        decodeClusterCenters(&clusters, &cl, ctx: ctx)
        cl.finish()
        let arraysGiven = d.has("arrays")
        data.arrays = decodeArrays(&d, dataset: dataset, ctx: ctx)
        if dataset == .arrays, d.has("path") {
            ctx.error(d.keyNode("path"), ["data", "path"], "'data.path' is the directory of a built-in dataset; 'data.dataset: arrays' names its files in 'data.arrays'",
                      help: "remove data.path and give the files under data.arrays", length: 4)
        }
        if dataset == .manifold { data.manifold = manifold }
        if dataset == .clusters { data.clusters = clusters }
        for (given, key, owner) in [(manifoldGiven, "manifold", DatasetName.manifold), (clustersGiven, "clusters", .clusters),
                                    (arraysGiven, "arrays", .arrays)]
            where given && dataset != owner {
            ctx.error(d.keyNode(key), ["data", key], "'data.\(key)' is set but 'data.dataset' is '\(dataset.rawValue)'",
                      help: "set 'data.dataset: \(owner.rawValue)' or remove 'data.\(key)'", length: key.count)
        }
        if dataset == .manifold {
            // The coordinates a point needs before the embedding (e.g. S^d lives in R^{d+1}).
            let needed: Int
            switch manifold.kind {
            case .hypercube, .gaussian, .linear, .momentCurve: needed = manifold.dimension
            case .hypersphere: needed = manifold.dimension + 1
            case .swissRoll, .torus: needed = 3
            case .flatTorus: needed = 2 * manifold.dimension
            }
            if manifold.ambient < needed {
                ctx.error(mf.child("ambient") ?? d.child("manifold"), ["data", "manifold", "ambient"],
                          "'data.manifold.ambient' is \(manifold.ambient), but a \(manifold.kind.rawValue) of dimension \(manifold.kind == .swissRoll || manifold.kind == .torus ? 2 : manifold.dimension) needs \(needed) coordinates",
                          help: "use ambient: \(needed) or more")
            }
        }
        let fullSizes = ctx.fullSplitSizes(data)
        let inUse = fullSizes.map { data.splitSizes(full: $0) }
        if let full = fullSizes {
            for (key, size, available, split) in [("train_size", data.trainSize, full.train, "training"), ("test_size", data.testSize, full.test, "test")] {
                if let n = size, n > available {
                    ctx.error(d.child(key), ["data", key], "'data.\(key)' is \(n) but the \(split) split has \(available) examples",
                              help: "use \(key) ≤ \(available), or omit it to use the whole split")
                }
            }
        }
        d.finish()

        var m = top.nested("model")
        let architecture: ArchitectureName = m.read("architecture", default: .mlp)
        let depth = m.read("depth", default: architecture == .resnet ? 8 : 3, in: 1...1000)
        let width = m.read("width", default: architecture == .resnet ? 16 : 256, in: 1...65536)
        var widths: [Int]
        if architecture == .cnn {
            widths = m.optional("widths", as: [Int].self) ?? [128]
        } else {
            widths = m.optional("widths", as: [Int].self) ?? Array(repeating: width, count: depth)
            if m.has("widths") && (m.has("depth") || m.has("width")) {
                ctx.error(m.keyNode("widths"), ["model", "widths"], "'model.widths' cannot be combined with 'model.depth' or 'model.width'",
                          help: "give either widths: [..] or depth and width", length: 6)
            }
        }
        if let bad = widths.firstIndex(where: { $0 < 1 || $0 > 65536 }) {
            ctx.error(m.child("widths"), ["model", "widths"], "'model.widths[\(bad)]' is \(widths[bad]), out of range",
                      help: "use widths in 1...65536")
            widths = [width]
        }
        if widths.isEmpty && architecture == .mlp {
            ctx.error(m.child("widths"), ["model", "widths"], "'model.widths' is empty", help: "give at least one hidden width")
            widths = [width]
        }
        var channels = m.optional("channels", as: [Int].self) ?? [32, 64]
        if channels.isEmpty || channels.contains(where: { $0 < 1 || $0 > 4096 }) {
            ctx.error(m.child("channels"), ["model", "channels"], "'model.channels' must list one or more channel counts in 1...4096")
            channels = [32, 64]
        }
        let resnetGiven = architecture == .resnet
        if resnetGiven && (depth < 8 || (depth - 2) % 6 != 0) {
            let lower = max(8, (depth - 2) / 6 * 6 + 2), upper = lower + 6
            ctx.error(m.child("depth"), ["model", "depth"], "resnet depth \(depth) is not of the form 6k + 2 with k ≥ 1",
                      help: "use \(lower == depth ? upper : lower) or \(upper) (ResNet-8, -14, -20, -26, …)")
        }
        for (key, arch) in [("channels", ArchitectureName.cnn), ("kernel_size", .cnn), ("pooling", .cnn), ("batch_norm", .cnn), ("dropout", .cnn)]
            where m.has(key) && architecture != arch {
            ctx.error(m.keyNode(key), ["model", key], "'model.\(key)' applies to architecture '\(arch.rawValue)', not '\(architecture.rawValue)'",
                      help: "remove it, or set 'model.architecture: \(arch.rawValue)'", length: key.count)
        }
        let initFrom: String? = m.optional("init_from")
        if let path = initFrom, let problem = checkpointProblem(path) {
            ctx.error(m.child("init_from"), ["model", "init_from"], "cannot read the checkpoint '\(path)': \(problem)",
                      help: "give the path of a .safetensors file (relative paths are taken from the directory you run accordion in)")
        } else if let path = initFrom, !FileManager.default.isReadableFile(atPath: path) {
            ctx.error(m.child("init_from"), ["model", "init_from"], "cannot read the checkpoint '\(path)'",
                      help: "give the path of a .safetensors file (relative paths are taken from the directory you run accordion in)")
        }
        let model = ModelSpec(
            architecture: architecture, widths: widths, channels: channels,
            kernelSize: m.read("kernel_size", default: 3, in: 1...15),
            pooling: m.read("pooling", default: .max),
            batchNorm: m.read("batch_norm", default: false),
            dropout: m.read("dropout", default: 0, in: 0...0.95),
            resnetDepth: architecture == .resnet ? depth : 0,
            baseWidth: architecture == .resnet ? width : 0,
            activation: m.read("activation", default: .relu),
            initializer: m.read("init", default: .he),
            initFrom: initFrom)
        m.finish()
        if architecture == .cnn {
            if model.kernelSize % 2 == 0, let n = m.child("kernel_size") {
                ctx.error(n, ["model", "kernel_size"], "'model.kernel_size' is \(model.kernelSize); 'same' padding needs an odd size",
                          help: "use \(model.kernelSize - 1) or \(model.kernelSize + 1)")
            }
            let side = data.dataset == .fashionMNIST ? 28 : (data.dataset == .cifar10 || data.dataset == .cifar100 ? 32 : 0)
            if model.pooling != .none, side > 0, side >> model.channels.count < 1 {
                ctx.error(m.child("channels"), ["model", "channels"],
                          "\(model.channels.count) pooled convolution stages halve a \(side)×\(side) image to nothing",
                          help: "use at most \(Int(log2(Double(side)))) stages, or pooling: none")
            }
        }
        let ignoredModelKeys: [(String, ArchitectureName)] = architecture == .resnet ? [("widths", .mlp), ("activation", .mlp)]
            : architecture == .cnn ? [("depth", .mlp), ("width", .mlp)] : []
        for (key, owner) in ignoredModelKeys where m.has(key) {
            ctx.error(m.keyNode(key), ["model", key], "'model.\(key)' has no effect on architecture '\(architecture.rawValue)'",
                      help: architecture == .resnet ? "a resnet is set by depth (6k + 2) and width (its first stage's channels)"
                          : "a cnn is set by channels, widths (its dense head), kernel_size, pooling, batch_norm and dropout; depth and width are for \(owner.rawValue)",
                      length: key.count)
        }
        if architecture != .mlp, let arrays = data.arrays, arrays.layout == .flat {
            ctx.error(m.child("architecture"), ["model", "architecture"],
                      "architecture '\(architecture.rawValue)' needs images, but data.arrays.layout is 'flat' (vectors)",
                      help: "set data.arrays.layout: nchw or nhwc for image arrays, or use architecture: mlp")
        } else if architecture != .mlp, !(data.dataset == .fashionMNIST || data.dataset == .cifar10 || data.dataset == .cifar100 || data.dataset == .arrays) {
            ctx.error(m.child("architecture"), ["model", "architecture"],
                      "architecture '\(architecture.rawValue)' needs images, but data.dataset '\(data.dataset.rawValue)' is a point set",
                      help: "use architecture: mlp for manifold and clusters data")
        }

        var t = top.nested("train")
        let optimizer: OptimizerName = t.read("optimizer", default: .sgd)
        var train = TrainSpec(
            optimizer: optimizer,
            lr: t.read("lr", default: optimizer == .sgd ? 0.01 : 0.001, in: 1e-12...100, rangeText: "(0, 100]"),
            momentum: t.read("momentum", default: 0.9, in: 0...0.999999, rangeText: "[0, 1)"),
            nesterov: t.read("nesterov", default: false),
            weightDecay: t.read("weight_decay", default: optimizer == .adamw ? 0.01 : 0, in: 0...1),
            beta1: t.read("beta1", default: 0.9, in: 0...0.999999, rangeText: "[0, 1)"),
            beta2: t.read("beta2", default: 0.999, in: 0...0.999999999, rangeText: "[0, 1)"),
            eps: t.read("eps", default: 1e-8, in: 1e-30...1, rangeText: "(0, 1]"),
            schedule: t.read("schedule", default: .constant),
            stepSize: t.read("step_size", default: 10, in: 1...10000),
            gamma: t.read("gamma", default: 0.1, in: 1e-12...1, rangeText: "(0, 1]"),
            warmupEpochs: t.read("warmup_epochs", default: 0, in: 0...10000),
            loss: t.read("loss", default: .crossEntropy),
            batchSize: 64,
            epochs: t.read("epochs", default: 1, in: 0...10000),
            seed: t.read("seed", default: 0),
            noiseBatches: t.read("noise_batches", default: 16, in: 0...10000))
        decodeTrainingLength(&train, &t, trainCount: inUse?.train, ctx: ctx)
        if train.noiseBatches == 1, let n = t.child("noise_batches") {
            ctx.error(n, ["train", "noise_batches"], "'train.noise_batches' is 1; a covariance needs at least 2 minibatches",
                      help: "use 0 to skip the noise scale, or 2 or more")
        }
        for key in ["beta1", "beta2", "eps"] where t.has(key) && optimizer == .sgd {
            ctx.error(t.keyNode(key), ["train", key], "'train.\(key)' applies to optimizers 'adam' and 'adamw', not 'sgd'",
                      help: "remove it, or set 'train.optimizer: adam'", length: key.count)
        }
        for key in ["step_size", "gamma"] where t.has(key) && train.schedule != .step {
            ctx.error(t.keyNode(key), ["train", key], "'train.\(key)' applies to 'schedule: step', not '\(train.schedule.rawValue)'",
                      help: "remove it, or set 'train.schedule: step'", length: key.count)
        }
        for key in ["momentum", "nesterov"] where t.has(key) && optimizer != .sgd {
            ctx.error(t.keyNode(key), ["train", key], "'train.\(key)' applies to optimizer 'sgd', not '\(optimizer.rawValue)'",
                      help: "remove it (Adam's moment decay rates are beta1 and beta2)", length: key.count)
        }
        t.finish()

        var p = top.nested("probe")
        let probeEpochsNode = p.child("epochs")
        // Step probes alone replace the default epochs; written together, both are probed.
        let defaultEpochs = p.given("steps") ? [] : Array(Set([0, train.epochs])).sorted()
        var probeEpochs = p.read("epochs", default: defaultEpochs)
        for (i, e) in probeEpochs.enumerated() where e < 0 || e > train.epochs {
            let item: Node? = probeEpochsNode.flatMap { n in
                if case .sequence(let s) = n, i < s.count { return s[i] } else { return n }
            }
            if e < 0 {
                ctx.error(item, ["probe", "epochs"], "probe epoch \(e) is negative",
                          help: "0 is the untrained network; list epochs in 0...\(train.epochs)")
            } else {
                ctx.error(item, ["probe", "epochs"], "probe epoch \(e) is beyond the last epoch (\(train.epochs))",
                          help: train.epochs == 0 ? "only epoch 0 (the untrained network) exists when train.epochs is 0"
                              : "use epochs in 0...\(train.epochs), or raise train.epochs")
            }
        }
        probeEpochs = Array(Set(probeEpochs.filter { $0 >= 0 && $0 <= train.epochs })).sorted()
        let split: Split = p.read("split", default: .test)
        let probeSizeNode = p.child("size")
        var probeSize = p.read("size", default: 1000, in: 3...1_000_000)
        let sizes = inUse ?? (60000, 10000)
        let available = split == .train ? sizes.train : sizes.test
        if probeSize > available {
            ctx.error(probeSizeNode, ["probe", "size"], "probe size \(probeSize) exceeds the \(available) \(split.rawValue) examples in use",
                      help: "use probe.size ≤ \(available)")
            probeSize = available
        }
        let layers = decodeProbeLayers(&p, model: model, ctx: ctx)
        let probeSteps = decodeProbeSteps(&p, train: train, trainCount: inUse?.train, ctx: ctx)
        var probe = ProbeSpec(epochs: probeEpochs, size: probeSize, split: split,
                              seed: p.read("seed", default: 0), layers: layers, steps: probeSteps)
        p.finish()
        if let activations {
            // Imported activations are probed where they were exported: their epochs and layers
            // stand in for the probe's, and the last epoch for the length of training. The number
            // of points is known only once the files are read (size 0 here).
            probe = ProbeSpec(epochs: activations.epochs, size: 0, split: .test, seed: 0, layers: activations.layers)
            train.epochs = activations.epochs.last ?? 0
        }

        // Estimator settings are checked against imported points once their files are read.
        let estimators = decodeEstimators(&top, probeSize: activations == nil ? probeSize : Int.max / 2,
                                          classes: activations == nil ? data.classCount : nil, ctx: ctx)

        var x = top.nested("execution")
        let execution = ExecutionSpec(executor: x.read("executor", default: .local),
                                      jobs: x.read("jobs", default: 0, in: 0...1024),
                                      threads: x.read("threads", default: 1, in: 1...256))
        x.finish()
        for key in specLevelKeys { top.accept(key) }
        top.finish()

        return Experiment(name: name, description: description, data: data, model: model, train: train,
                          probe: probe, estimators: estimators, execution: execution, activations: activations)
    }
}
