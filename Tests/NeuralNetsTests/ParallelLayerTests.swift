import Testing
import Tensors
@testable import NeuralNets

/// Layers split across a stage's workers (``Parallelism``): every split gives the same result as
/// one thread (to the bit where no sum is split, close where partial sums are added), and the
/// same worker count always gives the same bits.
@Suite("Layers split across workers")
struct ParallelLayerTests {
    /// Output, input gradient and parameter gradients of one training forward and backward
    /// (objective Σ r·y for a fixed random r), then one eval forward, with `workers` workers.
    static func pass(_ make: () -> Layer, input shape: [Int], workers: Int) -> [String: [Float]] {
        Parallelism.withWorkers(workers) {
            let layer = make()
            var rng = RandomStream(seed: 5, path: "parallel/input")
            let x: FloatTensor = rng.normalTensor(shape: shape)
            let y = layer.forward(x, training: true)
            let r: FloatTensor = rng.normalTensor(shape: y.shape)
            let dx = layer.backward(r)
            var out = ["y": y.scalars, "dx": dx.scalars, "eval": layer.forward(x, training: false).scalars]
            for p in layer.parameters { out[p.name] = p.grad.scalars }
            return out
        }
    }

    static func layer(_ name: String) -> () -> Layer {
        {
            var rng = RandomStream(seed: 3, path: "parallel/\(name)")
            switch name {
            case "batchnorm": return BatchNorm(features: 6, name: "bn")
            case "maxpool": return MaxPool2D(kernelSize: 2)
            case "relu": return Activation(.relu)
            case "tanh": return Activation(.tanh)
            case "gelu": return Activation(.gelu)
            case "avgpool": return AvgPool2D(kernelSize: 2)
            case "maxpool-3x3": return MaxPool2D(kernelSize: 3, stride: 2, padding: 1)
            case "block": return ResidualBlock(inputChannels: 16, outputChannels: 16, inputShape: [16, 16, 16], name: "b", rng: &rng)
            case "block-projection":
                return ResidualBlock(inputChannels: 8, outputChannels: 16, stride: 2, inputShape: [8, 16, 16], name: "b", rng: &rng)
            case "conv-stride2": return Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, name: "c", rng: &rng)
            case "conv-1x1": return Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 1, name: "c", rng: &rng)
            case "conv-small-planes": return Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, padding: 1, name: "c", rng: &rng)
            case "conv-bias": return Conv2D(inputChannels: 8, outputChannels: 16, kernelSize: 3, padding: 1, bias: true, name: "c", rng: &rng)
            default: return Dense(inputDimensions: 96, outputDimensions: 128, name: "d", rng: &rng)
            }
        }
    }

    /// (layer, input shape) — each large enough that every pass splits at 2 and 3 workers.
    static let cases: [(String, [Int])] = [
        ("batchnorm", [8, 6, 20, 20]), ("maxpool", [8, 32, 12, 12]), ("relu", [8, 16, 16, 16]),
        ("tanh", [8, 16, 16, 16]), ("gelu", [8, 16, 16, 16]), ("avgpool", [8, 32, 12, 12]), ("maxpool-3x3", [8, 32, 12, 12]),
        ("block", [8, 16, 16, 16]), ("block-projection", [8, 8, 16, 16]),
        ("conv-stride2", [7, 8, 16, 16]), ("conv-1x1", [7, 8, 12, 12]), ("conv-small-planes", [7, 8, 10, 10]), ("conv-bias", [7, 8, 20, 20]),
        ("dense", [16, 96]),
    ]

    /// Where each sum stays on one worker, the split changes no bit.
    static let bitIdentical: Set<String> = ["batchnorm", "maxpool", "relu", "tanh", "gelu", "avgpool", "maxpool-3x3"]

    @Test("Every worker count agrees with one thread and repeats itself exactly", arguments: cases)
    func agrees(_ c: (String, [Int])) {
        let (name, shape) = c
        let one = Self.pass(Self.layer(name), input: shape, workers: 1)
        for workers in [2, 3] {
            let split = Self.pass(Self.layer(name), input: shape, workers: workers)
            #expect(split == Self.pass(Self.layer(name), input: shape, workers: workers), "\(name), \(workers) workers: not reproducible")
            #expect(Set(split.keys) == Set(one.keys))
            for (key, want) in one {
                let got = split[key] ?? []
                #expect(got.count == want.count, "\(name).\(key)")
                if Self.bitIdentical.contains(name) {
                    #expect(got == want, "\(name).\(key), \(workers) workers: bits differ from one thread")
                } else {
                    let scale = want.reduce(0) { max($0, abs($1)) } + 1e-6
                    let worst = zip(got, want).reduce(0) { max($0, abs($1.0 - $1.1)) }
                    #expect(worst <= 1e-5 * scale, "\(name).\(key), \(workers) workers: off by \(worst) (scale \(scale))")
                }
            }
        }
    }

    @Test("Training a CNN with two workers repeats exactly and stays next to one thread")
    func training() throws {
        func train(workers: Int) throws -> [String: FloatTensor] {
            try Parallelism.withWorkers(workers) {
                var rng = RandomStream(seed: 4, path: "parallel/cnn")
                let model = Architectures.cnn(inputShape: [1, 12, 12], channels: [16], hiddenWidths: [64], classes: 2,
                                              batchNorm: true, rng: &rng)
                let (x, labels) = separableData(count: 96, features: 144, seed: 2)
                var trainer = Trainer(batchSize: 32, shuffle: RandomStream(seed: 1, path: "shuffle"))
                let optimizer = SGD(learningRate: 0.02, momentum: 0.9)
                for epoch in 1...2 { _ = try trainer.trainEpoch(model, optimizer: optimizer, inputs: x, labels: labels, epoch: epoch) }
                return model.stateDict()
            }
        }
        let one = try train(workers: 1), two = try train(workers: 2)
        #expect(two == (try train(workers: 2)))
        for (name, want) in one {
            let got = two[name]?.scalars ?? []
            let scale = want.scalars.reduce(0) { max($0, abs($1)) } + 1e-6
            let worst = zip(got, want.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(worst <= 1e-4 * scale, "\(name): two workers off by \(worst) (scale \(scale))")
        }
    }

    @Test("Optimizer steps on a parameter large enough to split are the same at any worker count")
    func optimizers() {
        func steps(_ make: () -> Optimizer, workers: Int) -> [Float] {
            Parallelism.withWorkers(workers) {
                var rng = RandomStream(seed: 8, path: "parallel/optimizer")
                // 60,000 scalars: split in 2 and 3 ranges (at least 16 Ki each).
                let p = Parameter(name: "w", value: rng.normalTensor(shape: [300, 200]))
                let optimizer = make()
                for _ in 0..<3 {
                    p.grad = rng.normalTensor(shape: [300, 200])
                    optimizer.step([p])
                }
                return p.value.scalars
            }
        }
        let makers: [(String, () -> Optimizer)] = [
            ("sgd", { SGD(learningRate: 0.1) }),
            ("sgd momentum", { SGD(learningRate: 0.1, momentum: 0.9) }),
            ("sgd nesterov decay", { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-3) }),
            ("adam", { Adam(learningRate: 0.01, weightDecay: 1e-3) }),
            ("adamw", { AdamW(learningRate: 0.01) }),
        ]
        for (name, make) in makers {
            let one = steps(make, workers: 1)
            for workers in [2, 3] { #expect(steps(make, workers: workers) == one, "\(name), \(workers) workers") }
        }
    }
}
