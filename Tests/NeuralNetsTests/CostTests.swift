import Testing
import Tensors
@testable import NeuralNets

/// The FLOP counts the benchmark divides by the SGEMM peak.
@Suite("Training FLOP counts")
struct CostTests {
    @Test("The reference MLP: forward, weight and input gradients but the first layer's input gradient")
    func mlp() {
        var rng = RandomStream(seed: 1, path: "cost")
        let model = Architectures.mlp(inputs: 784, widths: Array(repeating: 256, count: 6), classes: 10, rng: &rng)
        let macs = [784 * 256] + Array(repeating: 256 * 256, count: 5) + [256 * 10]
        let expected = 2.0 * Double(3 * macs.reduce(0, +) - macs[0])
        #expect(model.trainingFlopsPerExample == expected)
        #expect(abs(model.trainingFlopsPerExample - 2.78e6) < 0.01e6)
    }

    @Test("A convolution counts out · C · k² · Ho · Wo multiply-adds; blocks count their parts")
    func convolutions() {
        var rng = RandomStream(seed: 2, path: "cost")
        let conv = Sequential(layers: [Conv2D(inputChannels: 3, outputChannels: 8, kernelSize: 3, stride: 2, padding: 1,
                                              rng: &rng)], probePoints: [], inputShape: [3, 10, 10])
        // First layer: forward and weight gradient only; output 5×5.
        #expect(conv.trainingFlopsPerExample == 2.0 * 2 * Double(8 * 3 * 9 * 25))
        let resnet = Architectures.resnet(depth: 8, inputShape: [1, 28, 28], classes: 10, baseWidth: 16, rng: &rng)
        // Every 3×3 and 1×1 convolution of the three blocks and the stem, plus the classifier.
        let convMACs = 16 * 9 * 784 + 2 * 16 * 144 * 784 + 32 * 144 * 196 + 32 * 288 * 196 + 32 * 16 * 196
            + 64 * 288 * 49 + 64 * 576 * 49 + 64 * 32 * 49 + 64 * 10
        let expected = 2.0 * Double(3 * convMACs - 16 * 9 * 784)
        #expect(resnet.trainingFlopsPerExample == expected)
    }
}
