import Testing
import Tensors
@testable import NeuralNets

/// Inner probe points (`.pre`, `.bn`, `.act`, `.sum`) against values computed by hand.
@Suite("Probe points inside stages")
struct ProbePointTests {
    @Test("MLP with known weights: h1.pre = W x + b and h1 = relu(h1.pre)")
    func mlpKnownWeights() {
        var rng = RandomStream(seed: 1, path: "probe-points")
        let model = Architectures.mlp(inputs: 3, widths: [2], classes: 2, rng: &rng)
        let dense = model.layers[0] as! Dense
        let w: [Float] = [1, -2, 0.5, -1, 0.25, 3]   // (2, 3), PyTorch layout: row = output unit
        let b: [Float] = [0.5, -1]
        dense.weight.value = FloatTensor(shape: [2, 3], scalars: w)
        dense.bias.value = FloatTensor(shape: [2], scalars: b)
        let x = FloatTensor(shape: [3, 3], scalars: [1, 2, 3, -1, 0, 2, 0.5, -0.5, 4])
        let acts = model.activations(of: x, layers: ["h1.pre", "h1"])
        var expected: [Float] = []
        for r in 0..<3 {
            for o in 0..<2 {
                expected.append(b[o] + (0..<3).reduce(Float(0)) { $0 + w[o * 3 + $1] * x.scalars[r * 3 + $1] })
            }
        }
        // Row 0: [1·1 − 2·2 + 0.5·3 + 0.5, −1 + 0.5 + 9 − 1] = [−1, 7.5]: one unit is cut by the ReLU.
        #expect(expected[0] == -1 && expected[1] == 7.5)
        let pre = acts["h1.pre"]?.scalars ?? []
        #expect(pre.count == 6 && zip(pre, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(acts["h1"]?.scalars == pre.map { max($0, 0) })
        #expect(acts["h1"]?.scalars.contains(0) == true)
    }

    @Test("identity activation: h1.pre equals h1 exactly")
    func identity() {
        var rng = RandomStream(seed: 2, path: "probe-points")
        let model = Architectures.mlp(inputs: 6, widths: [5, 4], classes: 3, activation: .identity, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [9, 6])
        let acts = model.activations(of: x, layers: model.probeNames)
        #expect(acts["h1.pre"] == acts["h1"] && acts["h2.pre"] == acts["h2"])
        #expect(acts["h1.pre"]?.scalars.contains { $0 < 0 } == true)
    }

    @Test("asking for inner points leaves the main points bit-identical, whatever the chunk size")
    func mainPointsUnchanged() {
        var rng = RandomStream(seed: 3, path: "probe-points")
        let models = [
            Architectures.mlp(inputs: 20, widths: [16, 16, 16], classes: 4, rng: &rng),
            Architectures.cnn(inputShape: [2, 8, 8], channels: [3, 5], hiddenWidths: [7], classes: 4, batchNorm: true, rng: &rng),
            Architectures.resnet(depth: 8, inputShape: [1, 8, 8], classes: 3, baseWidth: 2, shortcut: .padding, rng: &rng),
        ]
        for model in models {
            let x: FloatTensor = rng.normalTensor(shape: [11, model.inputSize])
            let main = model.activations(of: x, layers: model.mainProbeNames)
            let all = model.activations(of: x, layers: model.probeNames)
            let chunked = model.activations(of: x, layers: model.probeNames, batchSize: 4)
            #expect(Set(all.keys) == Set(model.probeNames))
            #expect(model.mainProbeNames.allSatisfy { main[$0] == all[$0] }, "\(model.probeNames)")
            #expect(all == chunked)
            #expect(all["logits"] == model.forward(x, training: false))
        }
    }

    @Test("CNN with batch norm: conv1.bn is the BN formula on conv1.pre with running statistics; .act and pooling follow")
    func cnnBatchNorm() throws {
        var rng = RandomStream(seed: 4, path: "probe-points")
        let model = Architectures.cnn(inputShape: [1, 6, 6], channels: [3], hiddenWidths: [5], classes: 2, batchNorm: true, rng: &rng)
        let bn = try #require(model.layers[1] as? BatchNorm)
        // Training-mode passes move the running statistics away from (0, 1); a non-trivial γ, β.
        for _ in 0..<3 { _ = model.forward(rng.normalTensor(shape: [16, 36], std: 2), training: true) }
        bn.weight.value = FloatTensor(shape: [3], scalars: [0.5, 2, -1])
        bn.bias.value = FloatTensor(shape: [3], scalars: [1, -0.5, 0.25])
        #expect(bn.runningMean.value.scalars.contains { abs($0) > 1e-3 })
        let x: FloatTensor = rng.normalTensor(shape: [4, 36])
        let acts = model.activations(of: x, layers: model.probeNames)
        #expect(model.probeNames == ["input", "conv1.pre", "conv1.bn", "conv1.act", "conv1", "h1.pre", "h1", "logits"])
        let pre = try #require(acts["conv1.pre"]).scalars, normed = try #require(acts["conv1.bn"]).scalars
        let act = try #require(acts["conv1.act"]).scalars, pooled = try #require(acts["conv1"]).scalars
        #expect(pre.count == 4 * 3 * 36 && pooled.count == 4 * 3 * 9)
        var worst = 0.0
        for n in 0..<4 {
            for c in 0..<3 {
                let mean = Double(bn.runningMean.value.scalars[c]), variance = Double(bn.runningVariance.value.scalars[c])
                let gamma = Double(bn.weight.value.scalars[c]), beta = Double(bn.bias.value.scalars[c])
                for i in 0..<36 {
                    let k = (n * 3 + c) * 36 + i
                    let expected = gamma * (Double(pre[k]) - mean) / (variance + bn.epsilon).squareRoot() + beta
                    worst = max(worst, abs(expected - Double(normed[k])))
                    #expect(act[k] == max(normed[k], 0))
                }
                for a in 0..<3 {
                    for b in 0..<3 {
                        let base = (n * 3 + c) * 36 + 2 * a * 6 + 2 * b
                        let window = [act[base], act[base + 1], act[base + 6], act[base + 7]]
                        #expect(pooled[(n * 3 + c) * 9 + a * 3 + b] == window.max())
                    }
                }
            }
        }
        #expect(worst < 1e-4)
        #expect(acts["h1"]?.scalars == acts["h1.pre"]?.scalars.map { max($0, 0) })
    }

    @Test("ResNet: blockK == relu(blockK.sum) exactly, for identity, padding and projection shortcuts",
          arguments: [ShortcutKind.padding, .projection])
    func residualSums(shortcut: ShortcutKind) throws {
        var rng = RandomStream(seed: 5, path: "probe-points")
        let model = Architectures.resnet(depth: 14, inputShape: [1, 8, 8], classes: 3, baseWidth: 2, shortcut: shortcut, rng: &rng)
        _ = model.forward(rng.normalTensor(shape: [8, 64]), training: true)
        let x: FloatTensor = rng.normalTensor(shape: [5, 64])
        let before = model.forward(x, training: false)
        let acts = model.activations(of: x, layers: model.probeNames, batchSize: 2)
        for k in 1...6 {
            let sum = try #require(acts["block\(k).sum"]).scalars
            #expect(sum.contains { $0 < 0 }, "block\(k).sum has negative entries, so the ReLU is not trivial")
            #expect(acts["block\(k)"]?.scalars == sum.map { max($0, 0) }, "block\(k)")
        }
        #expect(acts["conv1"]?.scalars == acts["conv1.bn"]?.scalars.map { max($0, 0) })
        // The observers are removed afterwards: ordinary inference is unchanged.
        #expect(model.forward(x, training: false) == before)
        // Probed in chunks of 2 against one batch of 5: the logits' SGEMM may sum in another
        // order by matrix size (OpenBLAS's AVX-512 kernels), so equal to the last bits only.
        let logits = acts["logits"]?.scalars ?? []
        #expect(logits.count == before.count)
        #expect(zip(logits, before.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }
}
