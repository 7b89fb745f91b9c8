import Datasets
import ExperimentSpec
import Foundation
import NeuralNets
import Tensors

/// Builds the network, optimizer and schedule a spec describes, and moves weights in and out
/// of checkpoints.
enum ModelFactory {
    /// - Parameter loadInitialWeights: load `model.init_from`; stages that load a checkpoint of
    ///   their own right after building skip it.
    static func build(_ model: ModelSpec, data: PreparedData, seed: UInt64, loadInitialWeights: Bool = true) throws -> Sequential {
        try build(model, features: data.train.inputs.columns, classes: data.train.classes, imageShape: data.train.imageShape,
                  seed: seed, loadInitialWeights: loadInitialWeights)
    }

    /// Why a convolutional model cannot take images of `imageShape` (say, pooling halves them to
    /// nothing), or nil when it can; checked on the shapes alone, without building the network.
    static func shapeProblem(_ model: ModelSpec, imageShape: ImageShape) -> String? {
        let inputShape = [imageShape.channels, imageShape.height, imageShape.width]
        do {
            switch model.architecture {
            case .mlp: return nil
            case .cnn:
                let pooling: PoolingKind = model.pooling == .max ? .max : model.pooling == .average ? .average : .none
                _ = try Architectures.cnnProbeNames(inputShape: inputShape, channels: model.channels, hiddenWidths: model.widths,
                                                    kernelSize: model.kernelSize, pooling: pooling)
            case .resnet:
                _ = try Architectures.resnetProbeNames(depth: model.resnetDepth, inputShape: inputShape, baseWidth: model.baseWidth)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The network for inputs of `features` values (an image of `imageShape`) and `classes` classes.
    static func build(_ model: ModelSpec, features: Int, classes: Int, imageShape: ImageShape?, seed: UInt64,
                      loadInitialWeights: Bool = true) throws -> Sequential {
        var rng = RandomStream(seed: seed, path: "model/init")
        let activation: ActivationKind
        switch model.activation {
        case .relu: activation = .relu
        case .tanh: activation = .tanh
        case .gelu: activation = .gelu
        case .identity: activation = .identity
        }
        let initializer: Initializer
        switch model.initializer {
        case .he: initializer = .he
        case .glorot: initializer = .glorot
        case .lecun: initializer = .lecun
        case .pytorch: initializer = .pytorch
        }
        let net: Sequential
        switch model.architecture {
        case .mlp:
            net = Architectures.mlp(inputs: features, widths: model.widths, classes: classes,
                                    activation: activation, initializer: initializer, rng: &rng)
        case .cnn, .resnet:
            guard let shape = imageShape else {
                throw StageFailure(stage: "model", reason: "architecture \(model.architecture.rawValue) needs image data")
            }
            let inputShape = [shape.channels, shape.height, shape.width]
            if model.architecture == .cnn {
                let pooling: PoolingKind = model.pooling == .max ? .max : model.pooling == .average ? .average : .none
                do {
                    _ = try Architectures.cnnProbeNames(inputShape: inputShape, channels: model.channels,
                                                        hiddenWidths: model.widths, kernelSize: model.kernelSize, pooling: pooling)
                } catch {
                    throw StageFailure(stage: "model", reason: "\(error)")
                }
                net = Architectures.cnn(inputShape: inputShape, channels: model.channels, hiddenWidths: model.widths,
                                        classes: classes, kernelSize: model.kernelSize, pooling: pooling,
                                        batchNorm: model.batchNorm, dropout: model.dropout, activation: activation,
                                        initializer: initializer, rng: &rng)
            } else {
                do {
                    _ = try Architectures.resnetProbeNames(depth: model.resnetDepth, inputShape: inputShape, baseWidth: model.baseWidth)
                } catch {
                    throw StageFailure(stage: "model", reason: "\(error)")
                }
                net = Architectures.resnet(depth: model.resnetDepth, inputShape: inputShape, classes: classes,
                                           baseWidth: model.baseWidth, initializer: initializer, rng: &rng)
            }
        }
        // The spec validated layer names by the same rule; a mismatch is a programming error made
        // visible. Both the full list and which points are main must agree.
        if net.probeNames != model.allLayerNames || net.mainProbeNames != model.layerNames {
            throw StageFailure(stage: "model", reason: "the engine names this model's layers \(net.probeNames) (main: \(net.mainProbeNames)), "
                               + "the spec expected \(model.allLayerNames) (main: \(model.layerNames))")
        }
        if loadInitialWeights, let path = model.initFrom {
            do {
                try net.loadCheckpoint(from: URL(fileURLWithPath: path))
            } catch {
                throw StageFailure(stage: "model", reason: "model.init_from: \(error)")
            }
        }
        return net
    }

    static func optimizer(_ t: TrainSpec) -> Optimizer {
        switch t.optimizer {
        case .sgd: return SGD(learningRate: t.lr, momentum: t.momentum, nesterov: t.nesterov, weightDecay: t.weightDecay)
        case .adam: return Adam(learningRate: t.lr, beta1: t.beta1, beta2: t.beta2, epsilon: t.eps, weightDecay: t.weightDecay)
        case .adamw: return AdamW(learningRate: t.lr, beta1: t.beta1, beta2: t.beta2, epsilon: t.eps, weightDecay: t.weightDecay)
        }
    }

    static func schedule(_ t: TrainSpec) -> LearningRateSchedule? {
        let decay: LearningRateSchedule.Decay
        switch t.schedule {
        case .constant: decay = .constant
        case .step: decay = .step(stepSize: t.stepSize, gamma: t.gamma)
        case .cosine: decay = .cosine
        }
        if decay == .constant && t.warmupEpochs == 0 { return nil }
        return LearningRateSchedule(baseLearningRate: t.lr, decay: decay, warmupEpochs: t.warmupEpochs, epochs: max(1, t.epochs),
                                    totalSteps: t.steps)
    }
}
