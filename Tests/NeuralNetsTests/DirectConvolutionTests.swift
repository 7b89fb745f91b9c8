import CConvKernels
import Testing
import Tensors
@testable import NeuralNets

/// The direct "same" convolution kernels (forward, input gradient, weight gradient) against a
/// Float64 sum over the receptive field, at every shape class the benchmark networks use, with one
/// and two workers, for every kernel this CPU runs (portable, AVX2, AVX-512).
@Suite("Direct convolution")
struct DirectConvolutionTests {
    /// (name, batch, in channels, out channels, size, kernel)
    static let shapes: [(String, Int, Int, Int, Int, Int)] = [
        ("resnet stem 1→16 at 28×28", 2, 1, 16, 28, 3),
        ("resnet layer1 16→16 at 28×28", 2, 16, 16, 28, 3),
        ("resnet layer2 32→32 at 14×14", 3, 32, 32, 14, 3),
        ("resnet layer3 64→64 at 7×7", 3, 64, 64, 7, 3),
        ("cifar stem 3→16 at 32×32", 2, 3, 16, 32, 3),
        ("cnn 16→32 at 14×14", 2, 16, 32, 14, 3),
        ("odd channels 3→5, 5×5 kernel at 9×9", 3, 3, 5, 9, 5),
    ]

    /// `y`, `∂W` and `∂x` for the objective `Σ r·y`, in Float64 straight from the definition,
    /// with the sum of absolute terms of each entry as its scale.
    static func reference(x: FloatTensor, w: FloatTensor, r: FloatTensor, c: Int, o: Int, size: Int, k: Int)
        -> (y: [(Double, Double)], dw: [(Double, Double)], dx: [(Double, Double)]) {
        let batch = x.shape[0], p = k / 2, s = size
        var y = [(Double, Double)](repeating: (0, 0), count: batch * o * s * s)
        var dw = [(Double, Double)](repeating: (0, 0), count: o * c * k * k)
        var dx = [(Double, Double)](repeating: (0, 0), count: batch * c * s * s)
        for n in 0..<batch { for oc in 0..<o { for a in 0..<s { for b in 0..<s {
            let yi = ((n * o + oc) * s + a) * s + b
            for ic in 0..<c { for i in 0..<k { for j in 0..<k {
                let (h, v) = (a + i - p, b + j - p)
                guard h >= 0, h < s, v >= 0, v < s else { continue }
                let xi = ((n * c + ic) * s + h) * s + v, wi = ((oc * c + ic) * k + i) * k + j
                let (xv, wv, rv) = (Double(x.scalars[xi]), Double(w.scalars[wi]), Double(r.scalars[yi]))
                y[yi].0 += wv * xv; y[yi].1 += abs(wv * xv)
                dw[wi].0 += rv * xv; dw[wi].1 += abs(rv * xv)
                dx[xi].0 += rv * wv; dx[xi].1 += abs(rv * wv)
            } } }
        } } } }
        return (y, dw, dx)
    }

    static func expectClose(_ got: [Float], _ want: [(Double, Double)], _ what: String) {
        #expect(got.count == want.count, "\(what): \(got.count) values, expected \(want.count)")
        var worst = 0.0, at = 0
        for (i, (g, w)) in zip(got, want).enumerated() {
            let error = abs(Double(g) - w.0) / (w.1 + 1e-6)
            if error > worst { (worst, at) = (error, i) }
        }
        // Float32 sums of up to 576 terms: a few ulps of the absolute sum.
        #expect(worst <= 2e-6, "\(what): entry \(at) is \(got[at]), Float64 \(want[at].0) (relative error \(worst))")
    }

    @Test("Forward, input gradient and weight gradient match Float64 sums", arguments: shapes)
    func matchesReference(_ shape: (String, Int, Int, Int, Int, Int)) {
        let (name, batch, c, o, size, k) = shape
        var rng = RandomStream(seed: 11, path: "direct-conv/\(name)")
        let layer = Conv2D(inputChannels: c, outputChannels: o, kernelSize: k, padding: k / 2, bias: false, rng: &rng)
        #expect(layer.usesDirectPath)
        _ = layer.configure(inputShape: [c, size, size])
        let x: FloatTensor = rng.normalTensor(shape: [batch, c, size, size])
        let r: FloatTensor = rng.normalTensor(shape: [batch, o, size, size])
        let want = Self.reference(x: x, w: layer.weight.value, r: r, c: c, o: o, size: size, k: k)
        // The vector kernels (AVX2 = 1, AVX-512 = 2) sum every output in the same order with one
        // FMA per term, so each must give the bits of the first one this CPU runs.
        var vectorBits: (y: [Float], dw: [Float], dx: [Float])?
        for kernel in Int32(0)...Conv2D.bestKernel {
            for workers in [1, 2] {
                let label = "\(name), kernel \(String(cString: accordion_conv_kernel_name(kernel))), \(workers) worker(s)"
                var y = [Float](repeating: .nan, count: r.count), dx = [Float](repeating: .nan, count: x.count)
                layer.weight.zeroGradient()
                x.scalars.withUnsafeBufferPointer { px in
                    r.scalars.withUnsafeBufferPointer { pr in
                        y.withUnsafeMutableBufferPointer {
                            layer.forwardDirect(px.baseAddress!, into: $0.baseAddress!, batch: batch, workers: workers, kernel: kernel)
                        }
                        dx.withUnsafeMutableBufferPointer {
                            layer.backwardDirect(input: px.baseAddress!, outputGradient: pr.baseAddress!,
                                                 inputGradient: $0.baseAddress!, batch: batch, workers: workers, kernel: kernel)
                        }
                    }
                }
                Self.expectClose(y, want.y, "\(label): y")
                Self.expectClose(layer.weight.grad.scalars, want.dw, "\(label): ∂W")
                Self.expectClose(dx, want.dx, "\(label): ∂x")
                guard kernel >= 1, workers == 1 else { continue }
                let bits = (y, layer.weight.grad.scalars, dx)
                if let first = vectorBits {
                    #expect(bits.0.map(\.bitPattern) == first.y.map(\.bitPattern), "\(label): y differs from the AVX2 kernel's bits")
                    #expect(bits.1.map(\.bitPattern) == first.dw.map(\.bitPattern), "\(label): ∂W differs from the AVX2 kernel's bits")
                    #expect(bits.2.map(\.bitPattern) == first.dx.map(\.bitPattern), "\(label): ∂x differs from the AVX2 kernel's bits")
                } else {
                    vectorBits = bits
                }
            }
        }
    }

    @Test("A second backward pass adds to the weight gradient")
    func accumulates() {
        var rng = RandomStream(seed: 12, path: "direct-conv/accumulate")
        let layer = Conv2D(inputChannels: 4, outputChannels: 6, kernelSize: 3, padding: 1, rng: &rng)
        let x: FloatTensor = rng.normalTensor(shape: [2, 4, 16, 16])
        let r: FloatTensor = rng.normalTensor(shape: [2, 6, 16, 16])
        layer.weight.zeroGradient()
        _ = layer.forward(x, training: true)
        _ = layer.backward(r)
        let once = layer.weight.grad
        _ = layer.backward(r)
        let twice = layer.weight.grad
        for (a, b) in zip(once.scalars, twice.scalars) { #expect(abs(2 * a - b) <= 1e-5 * max(1, abs(b))) }
    }

    @Test("Strided, pointwise and valid-padding convolutions keep the im2col path")
    func pathChoice() {
        var rng = RandomStream(seed: 13, path: "direct-conv/paths")
        #expect(!Conv2D(inputChannels: 2, outputChannels: 2, kernelSize: 3, stride: 2, padding: 1, rng: &rng).usesDirectPath)
        #expect(!Conv2D(inputChannels: 2, outputChannels: 2, kernelSize: 1, rng: &rng).usesDirectPath)
        #expect(!Conv2D(inputChannels: 2, outputChannels: 2, kernelSize: 3, padding: 0, rng: &rng).usesDirectPath)
        #expect(Conv2D(inputChannels: 2, outputChannels: 2, kernelSize: 5, padding: 2, rng: &rng).usesDirectPath)
    }
}
