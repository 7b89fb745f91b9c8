import CConvKernels
import Testing
import Tensors
@testable import NeuralNets

/// The 2×2 stride-2 max pooling fast path (`accordion_maxpool2x2`, vectorised C) against the
/// definition, on inputs full of ties and with NaNs, where the first arg-max in row-major order
/// must win; in training (arg-max recorded) and inference (none) alike.
@Suite("Max pooling fast path")
struct PoolingFastPathTests {
    @Test("Values and arg-max match the first maximum in window order, NaN winning, with every kernel",
          arguments: [20, 28, 14, 7, 9, 33], Array(Int32(0)...Conv2D.bestKernel))
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

    /// A batch norm's sweep with its ReLU, then the pooling, against the pooling reading the norm's
    /// input and normalising each candidate itself: the same values and arg-maxes, bit for bit, for
    /// a range of planes that starts inside the batch (so the channel of a plane is counted from the
    /// batch's first), with NaNs, ties after the ReLU, and odd sizes.
    @Test("Pooling that normalises its candidates gives the bits of the sweep then the pooling",
          arguments: [28, 14, 7, 9, 33], Array(Int32(0)...Conv2D.bestKernel))
    func normalisingPool(size: Int, kernel: Int32) {
        var rng = RandomStream(seed: UInt64(size), path: "maxpool-normalising")
        let (batch, channels) = (3, 5)
        let planes = batch * channels, p = size * size, half = size / 2
        var x = (0..<(planes * p)).map { _ in Float(rng.normal()) * 3 }
        x[7] = .nan
        x[planes * p - 2] = .nan
        let scale: [Float] = [0.7, -1.3, 2.1, 0.01, 1], centre: [Float] = [0.1, -0.4, 0, 3, -2]
        let shift: [Float] = [0.2, 0, -0.5, 1e-3, 4]
        var swept = [Float](repeating: 0, count: planes * p)
        accordion_batchnorm_sweep(x, &swept, 0, Int32(planes), Int32(p), Int32(channels), scale, centre, shift, 1, kernel)
        var expected = [Float](repeating: 0, count: planes * half * half)
        var expectedIndex = [Int32](repeating: 0, count: expected.count)
        accordion_maxpool2x2(swept, Int32(planes), Int32(size), Int32(size), &expected, &expectedIndex, kernel)
        // Planes 4 ..< planes only, as a worker whose range starts at plane 4 computes them.
        let first = 4, outPlane = half * half
        var y = [Float](repeating: -1, count: expected.count), index = [Int32](repeating: -1, count: expected.count)
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                index.withUnsafeMutableBufferPointer { idx in
                    accordion_batchnorm_relu_maxpool2x2(xs.baseAddress! + first * p, Int32(first), Int32(planes - first),
                                                        Int32(size), Int32(size), Int32(channels), scale, centre, shift,
                                                        ys.baseAddress! + first * outPlane, idx.baseAddress! + first * outPlane,
                                                        kernel)
                }
            }
        }
        let tail = first * outPlane..<expected.count
        #expect(y[tail].map(\.bitPattern) == expected[tail].map(\.bitPattern))
        #expect(Array(index[tail]) == Array(expectedIndex[tail]))
        #expect(y[..<tail.lowerBound].allSatisfy { $0 == -1 }, "wrote before its range")
        // The ReLU left zeros, so ties decided some arg-maxes.
        #expect(swept.contains(0))
    }

    /// The backward pass in C: every scalar of the input gradient written (none left from before),
    /// 0 + g at each window's arg-max (so −0 becomes +0, as adding onto zeros gives), and with the
    /// pooled outputs given, nothing where the window's maximum is not positive (zero, negative or
    /// NaN), in every build and on odd sizes, where a last row or column belongs to no window.
    @Test("The backward pass writes 0 + g at each arg-max and zeros elsewhere, masked by positive maxima",
          arguments: [28, 14, 7, 9, 33], Array(Int32(0)...Conv2D.bestKernel))
    func backwardInC(size: Int, kernel: Int32) {
        var rng = RandomStream(seed: UInt64(size), path: "maxpool-backward")
        let planes = 5, half = size / 2, outputs = planes * half * half
        var dy = (0..<outputs).map { _ in Float(rng.normal()) }
        var y = (0..<outputs).map { _ in Float(rng.normal()) }
        dy[0] = -0.0
        dy[outputs - 1] = .nan
        y[1] = 0
        y[2] = .nan
        let index = (0..<outputs).map { o -> Int32 in
            let (a, b) = ((o / half) % half, o % half)
            let pick = Int(rng.next() % 4)
            return Int32((2 * a + pick / 2) * size + 2 * b + pick % 2)
        }
        for masking in [false, true] {
            var expected = [Float](repeating: 0, count: planes * size * size)
            for o in 0..<outputs {
                let g = masking && !(y[o] > 0) ? 0 : dy[o]
                expected[(o / (half * half)) * size * size + Int(index[o])] += g
            }
            var dx = [Float](repeating: 5, count: expected.count)
            y.withUnsafeBufferPointer { ys in
                accordion_maxpool2x2_backward(dy, masking ? ys.baseAddress : nil, index, Int32(planes), Int32(size),
                                              Int32(size), &dx, kernel)
            }
            #expect(dx.map(\.bitPattern) == expected.map(\.bitPattern), "masking \(masking)")
        }
        #expect(dy[0].sign == .minus && y.contains(0))
    }
}
