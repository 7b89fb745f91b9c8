import Testing
import Tensors
@testable import NeuralNets

@Suite("Architectures")
struct ArchitectureTests {
    @Test("Probe names listed without building equal the built model's", arguments: [8, 14, 20])
    func resnetProbeNames(depth: Int) throws {
        let names = try Architectures.resnetProbeNames(depth: depth, inputShape: [1, 28, 28], baseWidth: 4)
        var rng = RandomStream(seed: 1, path: "arch")
        let model = Architectures.resnet(depth: depth, inputShape: [1, 28, 28], classes: 10, baseWidth: 4, rng: &rng)
        #expect(model.mainProbeNames == names)
        let blocks = 3 * (depth - 2) / 6
        #expect(names == ["input", "conv1"] + (1...blocks).map { "block\($0)" } + ["pool", "logits"])
    }

    @Test("ResNet maps 28×28×1 to 28 → 14 → 7 and 32×32×3 to 32 → 16 → 8", arguments: [([1, 28, 28], 7), ([3, 32, 32], 8)])
    func resnetShapes(input: [Int], last: Int) {
        var rng = RandomStream(seed: 2, path: "arch")
        let model = Architectures.resnet(depth: 8, inputShape: input, classes: 10, baseWidth: 8, rng: &rng)
        let size = input[1]
        let probes = Dictionary(uniqueKeysWithValues: model.probePoints.map { ($0.name, $0.layerIndex) })
        #expect(model.layerShapes[probes["conv1"]!] == [8, size, size])
        #expect(model.layerShapes[probes["block1"]!] == [8, size, size])
        #expect(model.layerShapes[probes["block2"]!] == [16, (size + 1) / 2, (size + 1) / 2])
        #expect(model.layerShapes[probes["block3"]!] == [32, last, last])
        #expect(model.layerShapes[probes["pool"]!] == [32])
        var x = FloatTensor(shape: [2] + input)
        for i in x.scalars.indices { x.scalars[i] = Float(i % 7) / 7 }
        let acts = model.activations(of: x, layers: ["input", "block3", "logits"], batchSize: 1)
        #expect(acts["input"]?.shape == [2, input.reduce(1, *)])
        #expect(acts["block3"]?.shape == [2, 32 * last * last])
        // One example at a time changes the GEMM shapes, hence the rounding, not the values.
        let logits = model.forward(x, training: false)
        #expect(zip(acts["logits"]?.scalars ?? [], logits.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(model.activations(of: x, layers: ["logits"], batchSize: 2)["logits"] == logits)
    }

    @Test("A depth that is not 6k + 2 is refused with the nearest valid depths")
    func resnetDepth() {
        #expect(throws: ArchitectureError.invalid("resnet depth 21 is not of the form 6k + 2 with k ≥ 1 (try 20 or 26)")) {
            try Architectures.resnetProbeNames(depth: 21)
        }
        #expect(throws: ArchitectureError.invalid("resnet depth 2 is not of the form 6k + 2 with k ≥ 1 (try 8 or 14)")) {
            try Architectures.resnetProbeNames(depth: 2)
        }
        #expect(throws: ArchitectureError.self) { try Architectures.resnetProbeNames(depth: 8, baseWidth: 0) }
    }

    @Test("CNN probe names, PyTorch indices and shapes")
    func cnn() throws {
        let names = try Architectures.cnnProbeNames(inputShape: [1, 28, 28], channels: [8, 16], hiddenWidths: [32])
        #expect(names == ["input", "conv1", "conv2", "h1", "logits"])
        var rng = RandomStream(seed: 3, path: "arch")
        let model = Architectures.cnn(inputShape: [1, 28, 28], channels: [8, 16], hiddenWidths: [32], classes: 10,
                                      batchNorm: true, rng: &rng)
        #expect(model.mainProbeNames == names)
        #expect(model.stateDict().mapValues(\.shape) == [
            "0.weight": [8, 1, 3, 3], "1.weight": [8], "1.bias": [8], "1.running_mean": [8], "1.running_var": [8],
            "4.weight": [16, 8, 3, 3], "5.weight": [16], "5.bias": [16], "5.running_mean": [16], "5.running_var": [16],
            "9.weight": [32, 784], "9.bias": [32], "11.weight": [10, 32], "11.bias": [10],
        ])
        let probes = Dictionary(uniqueKeysWithValues: model.probePoints.map { ($0.name, $0.layerIndex) })
        #expect(model.layerShapes[probes["conv2"]!] == [16, 7, 7])
    }

    @Test("CNN configurations that cannot be built are refused")
    func cnnInvalid() {
        #expect(throws: ArchitectureError.invalid("cnn stage 3 would pool a 1×1 map: a 5×5 input allows at most 2 pooled stages (use fewer channels entries or pooling: none)")) {
            try Architectures.cnnProbeNames(inputShape: [1, 5, 5], channels: [2, 2, 2])
        }
        #expect(throws: ArchitectureError.self) { try Architectures.cnnProbeNames(inputShape: [28, 28], channels: [4]) }
        #expect(throws: ArchitectureError.self) { try Architectures.cnnProbeNames(inputShape: [1, 8, 8], channels: [4], kernelSize: 4) }
        #expect((try? Architectures.cnnProbeNames(inputShape: [1, 5, 5], channels: [2, 2, 2], pooling: .none)) != nil)
    }

    @Test("MLP probe names listed without building")
    func mlp() {
        var rng = RandomStream(seed: 4, path: "arch")
        let model = Architectures.mlp(inputs: 10, widths: [5, 5, 5], classes: 3, rng: &rng)
        #expect(model.mainProbeNames == Architectures.mlpProbeNames(depth: 3))
        #expect(Architectures.mlpProbeNames(depth: 2) == ["input", "h1", "h2", "logits"])
    }

    @Test("Eval-mode activations are the same whatever the chunk size, and match a training-free forward")
    func activationsChunking() {
        var rng = RandomStream(seed: 5, path: "arch")
        let model = Architectures.cnn(inputShape: [1, 8, 8], channels: [3], hiddenWidths: [6], classes: 4,
                                      batchNorm: true, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [7, 64])
        _ = model.forward(x, training: true)
        let whole = model.activations(of: x, layers: ["conv1", "h1", "logits", "nonexistent"], batchSize: 512)
        let pieces = model.activations(of: x, layers: ["conv1", "h1", "logits"], batchSize: 3)
        #expect(Set(whole.keys) == ["conv1", "h1", "logits"])
        // The convolution computes each example on its own: exact. The dense layers' SGEMM may not
        // be: OpenBLAS's AVX-512 kernels (SkylakeX, Cooperlake) take a "direct" or small-matrix
        // path by matrix size, which sums in another order, so chunks of 3 and of 7 can differ in
        // the last bits there.
        #expect(whole["conv1"] == pieces["conv1"])
        for name in ["h1", "logits"] {
            let (a, b) = (whole[name]?.scalars ?? [], pieces[name]?.scalars ?? [])
            #expect(a.count == b.count && a.count > 0)
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) }, "\(name): \(a) vs \(b)")
        }
        #expect(whole["logits"] == model.forward(x, training: false))
        #expect(whole["h1"]?.scalars.allSatisfy { $0 >= 0 } == true)
    }
}
