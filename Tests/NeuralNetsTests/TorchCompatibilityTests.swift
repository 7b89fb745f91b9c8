import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import NeuralNets

/// PyTorch models loaded from their `state_dict`s give PyTorch's outputs. The fixtures are written
/// by `Tests/Fixtures/torch/make_mlp.py` and `make_convnets.py` (see their headers).
@Suite("PyTorch compatibility")
struct TorchCompatibilityTests {
    static func fixture(_ name: String) -> URL { TestSupport.fixture("torch/\(name)") }

    static func npy(_ name: String) throws -> FloatTensor {
        try NPY.decode(Data(contentsOf: fixture(name)), name: name, as: Float.self)
    }

    static func expectClose(_ a: FloatTensor, _ b: FloatTensor, _ what: String, tolerance: Float = 1e-4) {
        #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values")
        let worst = zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= tolerance, "\(what): largest difference \(worst)")
    }

    @Test("A torch nn.Sequential MLP state_dict loads into mlp and gives the same logits")
    func mlp() throws {
        var rng = RandomStream(seed: 1, path: "unused")
        let model = Architectures.mlp(inputs: 20, widths: [32, 16], classes: 5, rng: &rng)
        let before = model.forward(try Self.npy("mlp_inputs.npy"), training: false)
        try model.loadCheckpoint(from: Self.fixture("mlp.safetensors"))
        let logits = model.forward(try Self.npy("mlp_inputs.npy"), training: false)
        let expected = try Self.npy("mlp_logits.npy")
        Self.expectClose(logits, expected, "mlp logits")
        // The fixture really changed the model: its random initial logits were far off.
        #expect(zip(before.scalars, expected.scalars).contains { abs($0 - $1) > 1e-2 })
    }

    /// Loads `<name>.safetensors`, checks eval and training-mode outputs and the running
    /// statistics after the training-mode pass against PyTorch.
    static func checkConvNet(_ name: String, _ model: Sequential) throws {
        try model.loadCheckpoint(from: fixture("\(name).safetensors"))
        let x = try npy("\(name)_inputs.npy")
        expectClose(model.forward(x, training: false), try npy("\(name)_logits_eval.npy"), "\(name) eval logits")
        expectClose(model.forward(x, training: true), try npy("\(name)_logits_train.npy"), "\(name) training logits")
        let after = try Safetensors.read(fixture("\(name)_after_train.safetensors"))
        let state = model.stateDict()
        #expect(Set(state.keys) == Set(after.keys), "\(name): names differ from PyTorch's state_dict")
        for (key, value) in after {
            guard let ours = state[key] else { continue }
            #expect(ours.shape == value.shape, "\(name) \(key): shape \(ours.shape), PyTorch \(value.shape)")
            expectClose(ours, value, "\(name) \(key) after a training pass", tolerance: 1e-5)
        }
    }

    @Test("CNN with batch norm and max pooling matches torch in eval and training mode")
    func cnnBatchNorm() throws {
        var rng = RandomStream(seed: 2, path: "unused")
        try Self.checkConvNet("cnn_bn", Architectures.cnn(inputShape: [1, 12, 12], channels: [4, 6], hiddenWidths: [16],
                                                          classes: 5, pooling: .max, batchNorm: true, rng: &rng))
    }

    @Test("CNN with biases and average pooling matches torch")
    func cnnAverage() throws {
        var rng = RandomStream(seed: 3, path: "unused")
        try Self.checkConvNet("cnn_avg", Architectures.cnn(inputShape: [2, 8, 8], channels: [3], classes: 4,
                                                           pooling: .average, rng: &rng))
    }

    @Test("ResNet-8 matches a PyTorch CIFAR ResNet with projection shortcuts")
    func resnet() throws {
        var rng = RandomStream(seed: 4, path: "unused")
        try Self.checkConvNet("resnet8", Architectures.resnet(depth: 8, inputShape: [3, 12, 12], classes: 6, baseWidth: 4, rng: &rng))
    }
}
