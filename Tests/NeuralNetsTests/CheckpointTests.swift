import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import NeuralNets

@Suite("Checkpoints")
struct CheckpointTests {
    @Test("A ResNet checkpoint holds the documented names and shapes and round-trips")
    func resnetNames() throws {
        var rng = RandomStream(seed: 5, path: "checkpoint")
        let model = Architectures.resnet(depth: 8, inputShape: [1, 28, 28], classes: 10, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [3, 784])
        _ = model.forward(x, training: true)  // moves the running statistics off their initial values
        let url = TestSupport.temporaryDirectory("checkpoint").appendingPathComponent("model.safetensors")
        try model.saveCheckpoint(to: url, metadata: ["epoch": "3"])
        let stored = try Safetensors.read(url)
        let expected: [String: [Int]] = [
            "conv1.weight": [16, 1, 3, 3], "bn1.weight": [16], "bn1.bias": [16],
            "bn1.running_mean": [16], "bn1.running_var": [16],
            "layer1.0.conv1.weight": [16, 16, 3, 3], "layer1.0.bn2.running_var": [16],
            "layer2.0.conv1.weight": [32, 16, 3, 3], "layer2.0.conv2.weight": [32, 32, 3, 3],
            "layer2.0.shortcut.0.weight": [32, 16, 1, 1], "layer2.0.shortcut.1.running_mean": [32],
            "layer3.0.shortcut.0.weight": [64, 32, 1, 1], "fc.weight": [10, 64], "fc.bias": [10],
        ]
        for (name, shape) in expected { #expect(stored[name]?.shape == shape, "\(name): \(stored[name]?.shape ?? [])") }
        // Every parameter and buffer, nothing else.
        #expect(stored.count == model.parameters.count + model.buffers.count)
        #expect(!stored.keys.contains { $0.contains("layer1.0.shortcut") }, "layer1.0 keeps its shape: identity shortcut")
        #expect(stored["bn1.running_mean"] != FloatTensor(shape: [16]))

        var other = RandomStream(seed: 6, path: "checkpoint")
        let copy = Architectures.resnet(depth: 8, inputShape: [1, 28, 28], classes: 10, rng: &other)
        #expect(copy.forward(x, training: false) != model.forward(x, training: false))
        try copy.loadCheckpoint(from: url)
        #expect(copy.forward(x, training: false) == model.forward(x, training: false))
        #expect(copy.stateDict() == model.stateDict())
    }

    @Test("MLP checkpoint names are PyTorch nn.Sequential keys with (out, in) weights")
    func mlpNames() throws {
        var rng = RandomStream(seed: 7, path: "checkpoint")
        let model = Architectures.mlp(inputs: 784, widths: [256, 128], classes: 10, rng: &rng)
        let state = model.stateDict()
        #expect(state.mapValues(\.shape) == ["0.weight": [256, 784], "0.bias": [256], "2.weight": [128, 256],
                                             "2.bias": [128], "4.weight": [10, 128], "4.bias": [10]])
    }

    @Test("Loading reports missing, unexpected and mis-shaped tensors and changes nothing")
    func errors() throws {
        var rng = RandomStream(seed: 8, path: "checkpoint")
        let model = Architectures.mlp(inputs: 4, widths: [3], classes: 2, rng: &rng)
        let original = model.stateDict()
        var state = original
        state["0.bias"] = nil
        #expect(throws: CheckpointError.missing(source: "test", names: ["0.bias"], available: ["0.weight", "2.bias", "2.weight"])) {
            try model.loadStateDict(state, source: "test")
        }
        state = original
        state["9.weight"] = FloatTensor(shape: [1])
        state["1.num_batches_tracked"] = FloatTensor(shape: [])
        #expect(throws: CheckpointError.unexpected(source: "test", names: ["9.weight"])) {
            try model.loadStateDict(state, source: "test")
        }
        try model.loadStateDict(state, strict: false, source: "test")
        state = original
        state["0.weight"] = FloatTensor(shape: [4, 3])
        state["2.bias"] = FloatTensor(shape: [2], repeating: 5)
        let error = #expect(throws: CheckpointError.self) { try model.loadStateDict(state, source: "w.safetensors") }
        #expect(error?.description == "w.safetensors: tensor '0.weight' has shape [4, 3], the model expects [3, 4]")
        #expect(model.stateDict() == original)
    }
}
