import Tensors

extension Architectures {
    /// CIFAR-style ResNet-n (He et al., "Deep Residual Learning", 2016, §4.2), n = 6k + 2:
    ///
    /// ```
    /// conv1 3×3 (w) → bn1 → relu
    /// layer1: k basic blocks, w channels, stride 1
    /// layer2: k basic blocks, 2w channels, first stride 2
    /// layer3: k basic blocks, 4w channels, first stride 2
    /// global average pool → fc (classes)
    /// ```
    /// with base width `w` (16 in the paper). It runs on any `(C, H, W)` input, e.g. 28×28×1
    /// Fashion-MNIST (maps 28 → 14 → 7) and 32×32×3 CIFAR (32 → 16 → 8). Convolutions have no
    /// bias; names follow the PyTorch CIFAR ResNets (`conv1`, `bn1`, `layer2.0.conv1`,
    /// `layer2.0.shortcut.0`, …, `fc`).
    ///
    /// Probe points, in depth order: `input`; `conv1.pre` (after the stem's convolution),
    /// `conv1.bn` (after `bn1`), `conv1` (after the stem's ReLU); for each block k, `blockk.sum`
    /// (`main + shortcut`, before the block's final ReLU) and `blockk` (the block's output);
    /// `pool` (after global pooling); `logits`. Main points: `input`, `conv1`, `block1` …
    /// `block<3k>`, `pool`, `logits`.
    /// - Precondition: the configuration passes ``resnetProbeNames(depth:inputShape:baseWidth:)``.
    public static func resnet(depth: Int, inputShape: [Int], classes: Int, baseWidth: Int = 16,
                              shortcut: ShortcutKind = .projection, initializer: Initializer = .he,
                              rng: inout RandomStream) -> Sequential {
        do {
            _ = try resnetProbeNames(depth: depth, inputShape: inputShape, baseWidth: baseWidth)
        } catch {
            preconditionFailure("[Architectures.resnet] \(error)")
        }
        precondition(classes > 0, "[Architectures.resnet] classes \(classes) must be positive")
        let blocksPerStage = (depth - 2) / 6
        var layers: [Layer] = [
            Conv2D(inputChannels: inputShape[0], outputChannels: baseWidth, kernelSize: 3, stride: 1, padding: 1,
                   bias: false, initializer: initializer, name: "conv1", rng: &rng),
            BatchNorm(features: baseWidth, name: "bn1"),
            Activation(.relu),
        ]
        var probes = [ProbePoint(name: "input", layerIndex: -1), .step("conv1", "pre", layerIndex: 0),
                      .step("conv1", "bn", layerIndex: 1), ProbePoint(name: "conv1", layerIndex: 2)]
        var shape = [baseWidth, inputShape[1], inputShape[2]]
        for stage in 0..<3 {
            let width = baseWidth << stage
            for i in 0..<blocksPerStage {
                let stride = stage > 0 && i == 0 ? 2 : 1
                let block = ResidualBlock(inputChannels: shape[0], outputChannels: width, stride: stride, inputShape: shape,
                                          shortcut: shortcut, initializer: initializer, name: "layer\(stage + 1).\(i)",
                                          rng: &rng)
                shape = block.configure(inputShape: shape)
                layers.append(block)
                let name = "block\(stage * blocksPerStage + i + 1)"
                probes.append(.step(name, "sum", layerIndex: layers.count - 1, site: .residualSum))
                probes.append(ProbePoint(name: name, layerIndex: layers.count - 1))
            }
        }
        layers.append(GlobalAvgPool())
        probes.append(ProbePoint(name: "pool", layerIndex: layers.count - 1))
        layers.append(Dense(inputDimensions: shape[0], outputDimensions: classes, initializer: initializer,
                            name: "fc", rng: &rng))
        probes.append(ProbePoint(name: "logits", layerIndex: layers.count - 1))
        return Sequential(layers: layers, probes: probes, inputShape: inputShape)
    }

    /// The probe points of ``resnet(depth:inputShape:classes:baseWidth:shortcut:initializer:rng:)``,
    /// checking that the configuration can be built: the main points `input`, `conv1`, `block1` …
    /// `block<3k>`, `pool`, `logits`.
    public static func resnetProbeNames(depth: Int, inputShape: [Int] = [3, 32, 32], baseWidth: Int = 16) throws -> [String] {
        guard depth >= 8, (depth - 2) % 6 == 0 else {
            let lower = max(8, depth - ((depth - 2) % 6 + 6) % 6)
            throw ArchitectureError.invalid("resnet depth \(depth) is not of the form 6k + 2 with k ≥ 1 (try \(lower) or \(lower + 6))")
        }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalid("resnet input shape \(inputShape) is not (channels, height, width) with positive sizes")
        }
        guard baseWidth > 0 else {
            throw ArchitectureError.invalid("resnet base width \(baseWidth) must be positive (16 in He et al. 2016)")
        }
        let blocks = 3 * (depth - 2) / 6
        return ["input", "conv1"] + (1...blocks).map { "block\($0)" } + ["pool", "logits"]
    }
}
