import Tensors

/// Down-sampling after each convolution stage of ``Architectures/cnn(inputShape:channels:hiddenWidths:classes:kernelSize:pooling:batchNorm:dropout:activation:initializer:rng:)``.
public enum PoolingKind: String, Sendable, CaseIterable, Codable {
    /// 2×2 max pooling, stride 2.
    case max
    /// 2×2 average pooling, stride 2.
    case average
    /// No pooling: the feature maps keep the input's size.
    case none
}

extension Architectures {
    /// A convolutional network: `channels.count` stages of
    /// `conv k×k (same padding) → [batch norm] → activation → [2×2 pool]`, flatten, then a dense
    /// head `hiddenWidths → classes` with the activation (and dropout, if `dropout > 0`) after each
    /// hidden layer.
    ///
    /// Layers are named by their index as in a PyTorch `nn.Sequential` of the same modules
    /// (`0.weight`, `0.bias`, `1.running_mean`, …). Convolutions have a bias unless batch norm
    /// follows them.
    ///
    /// Probe points, in depth order: `input`; for each stage i, `convi.pre` (after the
    /// convolution), `convi.bn` (after batch norm, when on), `convi.act` (after the activation,
    /// when the stage pools; without pooling it would equal `convi`) and `convi` (the stage's
    /// output, after pooling); for each hidden layer j, `hj.pre` and `hj` (after the activation;
    /// dropout is the identity in eval mode); `logits`. Main points: `input`, `conv1` …
    /// `conv<n>`, `h1` … `h<m>`, `logits`.
    /// - Precondition: the configuration passes ``cnnProbeNames(inputShape:channels:hiddenWidths:kernelSize:pooling:)``.
    public static func cnn(inputShape: [Int], channels: [Int], hiddenWidths: [Int] = [], classes: Int,
                           kernelSize: Int = 3, pooling: PoolingKind = .max, batchNorm: Bool = false,
                           dropout: Double = 0, activation: ActivationKind = .relu, initializer: Initializer = .he,
                           rng: inout RandomStream) -> Sequential {
        do {
            _ = try cnnProbeNames(inputShape: inputShape, channels: channels, hiddenWidths: hiddenWidths,
                                  kernelSize: kernelSize, pooling: pooling)
        } catch {
            preconditionFailure("[Architectures.cnn] \(error)")
        }
        precondition(classes > 0 && dropout >= 0 && dropout < 1,
                     "[Architectures.cnn] classes \(classes) must be positive and dropout \(dropout) in [0, 1)")
        var layers: [Layer] = []
        var probes = [ProbePoint(name: "input", layerIndex: -1)]
        let dropoutStreams = rng.split("dropout")
        var inChannels = inputShape[0]
        for (i, width) in channels.enumerated() {
            layers.append(Conv2D(inputChannels: inChannels, outputChannels: width, kernelSize: kernelSize,
                                 stride: 1, padding: kernelSize / 2, bias: !batchNorm, initializer: initializer,
                                 name: String(layers.count), rng: &rng))
            let stage = "conv\(i + 1)"
            probes.append(.step(stage, "pre", layerIndex: layers.count - 1))
            if batchNorm {
                layers.append(BatchNorm(features: width, name: String(layers.count)))
                probes.append(.step(stage, "bn", layerIndex: layers.count - 1))
            }
            layers.append(Activation(activation))
            switch pooling {
            case .max: layers.append(MaxPool2D(kernelSize: 2))
            case .average: layers.append(AvgPool2D(kernelSize: 2))
            case .none: break
            }
            if pooling != .none { probes.append(.step(stage, "act", layerIndex: layers.count - 2)) }
            probes.append(ProbePoint(name: stage, layerIndex: layers.count - 1))
            inChannels = width
        }
        layers.append(Flatten())
        var fanIn = flattenedSize(inputShape: inputShape, channels: channels, kernelSize: kernelSize, pooling: pooling)
        for (j, width) in hiddenWidths.enumerated() {
            layers.append(Dense(inputDimensions: fanIn, outputDimensions: width, initializer: initializer,
                                name: String(layers.count), rng: &rng))
            probes.append(.step("h\(j + 1)", "pre", layerIndex: layers.count - 1))
            layers.append(Activation(activation))
            probes.append(ProbePoint(name: "h\(j + 1)", layerIndex: layers.count - 1))
            if dropout > 0 { layers.append(Dropout(probability: dropout, rng: dropoutStreams.split("\(j + 1)"))) }
            fanIn = width
        }
        layers.append(Dense(inputDimensions: fanIn, outputDimensions: classes, initializer: initializer,
                            name: String(layers.count), rng: &rng))
        probes.append(ProbePoint(name: "logits", layerIndex: layers.count - 1))
        return Sequential(layers: layers, probes: probes, inputShape: inputShape)
    }

    /// The probe points of ``cnn(inputShape:channels:hiddenWidths:classes:kernelSize:pooling:batchNorm:dropout:activation:initializer:rng:)``,
    /// checking that the configuration can be built: the main points `input`, `conv1` … `conv<n>`,
    /// `h1` … `h<m>`, `logits`.
    public static func cnnProbeNames(inputShape: [Int], channels: [Int], hiddenWidths: [Int] = [],
                                     kernelSize: Int = 3, pooling: PoolingKind = .max) throws -> [String] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalid("cnn input shape \(inputShape) is not (channels, height, width) with positive sizes")
        }
        guard !channels.isEmpty, channels.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalid("cnn channels \(channels) must list at least one positive width")
        }
        guard hiddenWidths.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError.invalid("cnn hidden widths \(hiddenWidths) must be positive")
        }
        guard kernelSize > 0, kernelSize % 2 == 1 else {
            throw ArchitectureError.invalid("cnn kernel size \(kernelSize) must be odd and positive so that padding \(max(kernelSize, 1) / 2) keeps the size (try \(max(1, kernelSize | 1)))")
        }
        if pooling != .none {
            var (h, w) = (inputShape[1], inputShape[2])
            for stage in 1...channels.count {
                guard h >= 2, w >= 2 else {
                    throw ArchitectureError.invalid("cnn stage \(stage) would pool a \(h)×\(w) map: a \(inputShape[1])×\(inputShape[2]) input allows at most \(stage - 1) pooled stages (use fewer channels entries or pooling: none)")
                }
                (h, w) = (h / 2, w / 2)
            }
        }
        return ["input"] + channels.indices.map { "conv\($0 + 1)" } + hiddenWidths.indices.map { "h\($0 + 1)" } + ["logits"]
    }

    /// Scalars per example after the convolution stages.
    static func flattenedSize(inputShape: [Int], channels: [Int], kernelSize: Int, pooling: PoolingKind) -> Int {
        var (h, w) = (inputShape[1], inputShape[2])
        if pooling != .none {
            for _ in channels { (h, w) = (h / 2, w / 2) }
        }
        return (channels.last ?? inputShape[0]) * h * w
    }
}
