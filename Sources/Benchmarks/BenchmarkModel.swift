import Datasets
import NeuralNets
import Tensors

/// A network the training benchmark times, with the data and settings both sides share.
///
/// | name | network | data | batch | lr |
/// |---|---|---|---:|---:|
/// | `mlp` | 784 → 256×6 (ReLU) → 10, the reference network | Fashion-MNIST | 64 | 0.01 |
/// | `cnn` | conv 3×3 w → BN → ReLU → max pool, conv 2w likewise, dense 128, dense 10 | Fashion-MNIST | 128 | 0.05 |
/// | `resnet<n>` | CIFAR ResNet-n (He et al. 2016), base width w, projection shortcuts | Fashion-MNIST 1×28×28 | 128 | 0.05 |
/// | `resnet<n>-cifar` | the same on 3×32×32 | synthetic N(0, 1) pixels, uniform labels | 128 | 0.05 |
///
/// All use SGD with momentum 0.9; `w` is ``width`` (16 unless set). The synthetic input is for
/// timing only: no CIFAR copy ships offline, and the speed does not depend on the pixel values.
public struct BenchmarkModel: Sendable, Equatable {
    public enum Family: String, Sendable { case mlp, cnn, resnet }

    public var name: String
    public var family: Family
    /// ResNet depth (6k + 2); 0 for the others.
    public var depth: Int
    /// Base width of the convolutional models.
    public var width: Int
    /// One example's shape (channels, height, width), or `[784]` for the MLP.
    public var inputShape: [Int]
    /// Whether the inputs are random (CIFAR-shaped timing runs) rather than Fashion-MNIST.
    public var synthetic: Bool
    public var batchSize: Int
    public var learningRate: Double
    /// Training examples per timed run unless overridden: a full epoch for the MLP, enough
    /// steps for a stable rate otherwise.
    public var defaultTrainSize: Int
    /// Test examples evaluated after each run.
    public var testSize: Int

    /// The model of a benchmark name (`mlp`, `cnn`, `resnet8`, `resnet20-cifar`, …).
    public static func named(_ text: String, width: Int = 16) throws -> BenchmarkModel {
        if text == "mlp" {
            return BenchmarkModel(name: text, family: .mlp, depth: 0, width: 256, inputShape: [784], synthetic: false,
                                  batchSize: 64, learningRate: 0.01, defaultTrainSize: 60000, testSize: 10000)
        }
        if text == "cnn" {
            return BenchmarkModel(name: text, family: .cnn, depth: 0, width: width, inputShape: [1, 28, 28],
                                  synthetic: false, batchSize: 128, learningRate: 0.05, defaultTrainSize: 15360,
                                  testSize: 2000)
        }
        if text.hasPrefix("resnet") {
            let cifar = text.hasSuffix("-cifar")
            let digits = text.dropFirst(6).dropLast(cifar ? 6 : 0)
            guard let depth = Int(digits) else {
                throw BenchmarkError.invalid("model '\(text)' is not mlp, cnn, resnet<n> or resnet<n>-cifar (e.g. resnet8, resnet20-cifar)")
            }
            let shape = cifar ? [3, 32, 32] : [1, 28, 28]
            do {
                _ = try Architectures.resnetProbeNames(depth: depth, inputShape: shape, baseWidth: width)
            } catch {
                throw BenchmarkError.invalid("model '\(text)': \(error)")
            }
            return BenchmarkModel(name: text, family: .resnet, depth: depth, width: width, inputShape: shape,
                                  synthetic: cifar, batchSize: 128, learningRate: 0.05,
                                  defaultTrainSize: depth <= 8 ? 5120 : 2560, testSize: cifar ? 0 : 2000)
        }
        throw BenchmarkError.invalid("model '\(text)' is not mlp, cnn, resnet<n> or resnet<n>-cifar (e.g. resnet8, resnet20-cifar)")
    }

    /// A freshly initialised network.
    public func build(rng: inout RandomStream) -> Sequential {
        switch family {
        case .mlp:
            return Architectures.mlp(inputs: 784, widths: Array(repeating: width, count: 6), classes: 10, rng: &rng)
        case .cnn:
            return Architectures.cnn(inputShape: inputShape, channels: [width, 2 * width], hiddenWidths: [128],
                                     classes: 10, batchNorm: true, rng: &rng)
        case .resnet:
            return Architectures.resnet(depth: depth, inputShape: inputShape, classes: 10, baseWidth: width, rng: &rng)
        }
    }

    /// Arguments that make `scripts/bench_torch.py` build and train the same network.
    public var torchArguments: [String] {
        ["--model", family.rawValue, "--depth", String(family == .mlp ? 6 : depth), "--width", String(width),
         "--input-shape"] + inputShape.map(String.init)
            + ["--batch-size", String(batchSize), "--lr", String(learningRate)]
            + (synthetic ? ["--synthetic"] : [])
    }

    /// Training and test sets: the first `trainSize` Fashion-MNIST images (and `testSize` test
    /// images), or seeded random ones of ``inputShape`` for a synthetic model.
    public func data(trainSize: Int, directory: String) throws -> (train: LabeledSet, test: LabeledSet) {
        let features = inputShape.reduce(1, *)
        if synthetic {
            var rng = RandomStream(seed: 0, path: "bench/synthetic/\(name)")
            let inputs: FloatTensor = rng.normalTensor(shape: [trainSize, features])
            let labels = (0..<trainSize).map { _ in Int(rng.next() % 10) }
            return (LabeledSet(inputs: inputs, labels: labels, classes: 10),
                    LabeledSet(inputs: FloatTensor(shape: [0, features]), labels: [], classes: 10))
        }
        let train = try FashionMNIST.load(directory: directory, split: "train")
        let test = try FashionMNIST.load(directory: directory, split: "t10k")
        let n = min(trainSize, train.count), t = min(testSize, test.count)
        return (LabeledSet(inputs: n == train.count ? train.inputs : train.inputs.rows(0..<n),
                           labels: Array(train.labels.prefix(n)), classes: 10),
                LabeledSet(inputs: t == test.count ? test.inputs : test.inputs.rows(0..<t),
                           labels: Array(test.labels.prefix(t)), classes: 10))
    }
}

/// A benchmark request that cannot run, with what would work.
public enum BenchmarkError: Error, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let message): return message
        }
    }
}
