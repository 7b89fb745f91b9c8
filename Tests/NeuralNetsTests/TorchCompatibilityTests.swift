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

    /// A Python with torch and safetensors: `$TORCH_PYTHON`, `.venv-bench/bin/python` (what
    /// `make bench` installs), or `python3`; nil when none imports torch.
    static func torchPython() -> String? {
        var candidates = [TestSupport.repositoryRoot.appendingPathComponent(".venv-bench/bin/python").path, "/usr/bin/env"]
        if let own = ProcessInfo.processInfo.environment["TORCH_PYTHON"] { candidates.insert(own, at: 0) }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: c)
            p.arguments = (c == "/usr/bin/env" ? ["python3"] : []) + ["-c", "import torch, safetensors, numpy"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return c }
        }
        return nil
    }

    /// The other direction: a network that trained in Accordion (weights moved, batch-norm running
    /// statistics updated) is saved as a checkpoint, loaded strictly into its PyTorch twin by
    /// `Tests/Fixtures/torch/check_checkpoint.py`, and gives Accordion's logits.
    @Test("An Accordion checkpoint loads into the PyTorch twin and gives the same logits (needs torch)",
          arguments: ["mlp", "cnn_bn", "resnet8"])
    func checkpointIntoTorch(_ name: String) throws {
        guard let python = Self.torchPython() else {
            print("skipped: no Python with torch, safetensors and numpy (set TORCH_PYTHON, or run `make bench` to create .venv-bench)")
            return
        }
        var rng = RandomStream(seed: 5, path: "torch-export")
        let model: Sequential
        switch name {
        case "mlp": model = Architectures.mlp(inputs: 20, widths: [32, 16], classes: 5, rng: &rng)
        case "cnn_bn": model = Architectures.cnn(inputShape: [1, 12, 12], channels: [4, 6], hiddenWidths: [16], classes: 5,
                                                 pooling: .max, batchNorm: true, rng: &rng)
        default: model = Architectures.resnet(depth: 8, inputShape: [3, 12, 12], classes: 6, baseWidth: 4, rng: &rng)
        }
        // Start from the fixture, move every weight and (with a training-mode pass) every running statistic.
        var state = try Safetensors.read(Self.fixture("\(name).safetensors"))
        for (key, tensor) in state where !key.contains("running_var") {
            state[key] = FloatTensor(shape: tensor.shape, scalars: tensor.scalars.map { $0 + Float(rng.normal()) * 0.05 })
        }
        try model.loadStateDict(state)
        let x = try Self.npy(name == "mlp" ? "mlp_inputs.npy" : "\(name)_inputs.npy")
        _ = model.forward(x, training: true)
        let dir = TestSupport.temporaryDirectory("torch-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkpoint = dir.appendingPathComponent("\(name).safetensors"), inputs = dir.appendingPathComponent("inputs.npy"),
            logits = dir.appendingPathComponent("logits.npy")
        try model.saveCheckpoint(to: checkpoint)
        try NPY.write(x, to: inputs)
        try NPY.write(model.forward(x, training: false), to: logits)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = (python == "/usr/bin/env" ? ["python3"] : [])
            + [TestSupport.repositoryRoot.appendingPathComponent("Tests/Fixtures/torch/check_checkpoint.py").path,
               name, checkpoint.path, inputs.path, logits.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
    }
}
