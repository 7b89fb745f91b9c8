import Testing
import Tensors
@testable import NeuralNets

/// The 2×2 stride-2 max pooling fast path (`accordion_maxpool2x2`, vectorised C) against the
/// definition, on inputs full of ties and with NaNs, where the first arg-max in row-major order
/// must win; in training (arg-max recorded) and inference (none) alike.
@Suite("Max pooling fast path")
struct PoolingFastPathTests {
    @Test("Values and arg-max match the first maximum in window order, NaN winning, with every kernel",
          arguments: [20, 28, 14, 7], Array(Int32(0)...Conv2D.bestKernel))
    func matchesDefinition(size: Int, kernel: Int32) {
        var rng = RandomStream(seed: UInt64(size), path: "maxpool-fast")
        let (batch, channels) = (2, 3)
        let count = batch * channels * size * size
        // Few distinct values, so most windows hold ties.
        var values = (0..<count).map { _ in Float(rng.next() % 4) }
        values[5] = .nan
        values[count - 3] = .nan
        let x = FloatTensor(shape: [batch, channels, size, size], scalars: values)
        let layer = MaxPool2D(kernelSize: 2)
        layer.vectorKernel = kernel
        let y = layer.forward(x, training: true)
        let inference = layer.forward(x, training: false)
        #expect(inference.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "size \(size): inference differs from training")
        let dy = FloatTensor(shape: y.shape, scalars: (0..<y.count).map { Float($0 + 1) })
        let dx = layer.backward(dy)
        let half = size / 2
        var expectedDx = [Float](repeating: 0, count: count)
        for plane in 0..<(batch * channels) {
            for a in 0..<half {
                for b in 0..<half {
                    var best = -Float.infinity, at = -1
                    for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let k = plane * size * size + (2 * a + i) * size + 2 * b + j
                        if at < 0 || values[k] > best || values[k].isNaN { (best, at) = (values[k], k) }
                    }
                    let o = (plane * half + a) * half + b
                    let got = y.scalars[o]
                    #expect(got == best || (got.isNaN && best.isNaN), "size \(size) plane \(plane) (\(a), \(b)): \(got), expected \(best)")
                    expectedDx[at] += dy.scalars[o]
                }
            }
        }
        #expect(dx.scalars == expectedDx, "size \(size): the gradient went to another arg-max")
    }
}
