import CConvKernels
import Tensors

/// The direct path of ``Conv2D`` for "same" convolutions (stride 1, odd k×k kernel, padding
/// k/2), which are all of a ResNet's 3×3 convolutions but the strided ones.
///
/// ```
/// forward   y_n  = conv(x_n, W)                        (no patch matrix)
/// backward  ∂x_n = conv(∂y_n, flip(W)ᵀ)                flip: taps reversed, in/out swapped
///           ∂W  += Σ_n corr(∂y_n, x_n)                 direct kernel on large planes,
///                                                      im2col + GEMM on small ones
/// ```
/// An im2col patch matrix holds k² copies of every input plane; at 16–64 channels the GEMM on it
/// does only `out` multiply-adds per copied scalar, so writing it, packing it, and (backward)
/// scattering its gradient back cost about as much as the products. The kernels in
/// `CConvKernels` instead read a zero-bordered copy of each plane at k² fixed offsets and keep
/// a tile of a few channels × a run of pixels in registers (AVX-512: 8 × 16–48, AVX2: 6 × 16;
/// see `ConvKernels.c`). Both vector kernels give the same bits.
///
/// Examples are independent in the forward pass and the input gradient, so with more than one
/// worker (``Parallelism``) they are split into fixed contiguous ranges, one per worker; the weight
/// gradient is summed per range and the partial sums added in range order, so a run is
/// reproducible at a fixed worker count.
extension Conv2D {
    /// Whether this convolution takes the direct path.
    var usesDirectPath: Bool {
        stride == 1 && kernelSize > 1 && kernelSize % 2 == 1 && padding == kernelSize / 2
    }

    /// Planes of at least this many pixels get the direct weight-gradient kernel; on smaller ones
    /// its per-tile reductions cost more than im2col + GEMM (measured in docs/benchmarks.md).
    static let directWeightGradientPixels = 256

    /// The register-tile kernel of the direct path: the best this CPU runs (`accordion_conv_best_kernel`),
    /// or a lower one that tests name.
    static let bestKernel = accordion_conv_best_kernel()

    /// The name of the kernel training uses here ("avx512", "avx2" or "portable"), for provenance.
    public static var directKernelName: String { String(cString: accordion_conv_kernel_name(bestKernel)) }

    /// `workers` is ``Parallelism/workers`` in training; tests pass it to cover every split.
    func forwardDirect(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, workers: Int,
                       kernel: Int32 = bestKernel) {
        let g = geometry, k = kernelSize, out = outputChannels, cin = inputChannels
        let (h, w) = (g.height, g.width)
        let packed = directWeights.reserve(accordion_conv_packed_count(Int32(out), Int32(cin), Int32(k), kernel))
        weight.withValue { accordion_conv_pack($0, Int32(out), Int32(cin), Int32(k), 0, kernel, packed) }
        let ranges = Parallelism.ranges(batch, workers: workers)
        let perWorker = accordion_conv_scratch_count(Int32(cin), Int32(out), Int32(h), Int32(w), Int32(k), kernel)
        let scratch = columns.reserve(perWorker * ranges.count)
        let (inSize, outSize) = (g.inputSize, out * g.pixels)
        Parallelism.run(ranges) { worker, range in
            let s = scratch + worker * perWorker
            for n in range {
                accordion_conv_same(x + n * inSize, Int32(cin), Int32(h), Int32(w), Int32(k), packed, Int32(out),
                                    kernel, y + n * outSize, s)
            }
        }
    }

    func backwardDirect(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                        inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, workers: Int,
                        kernel: Int32 = bestKernel) {
        let g = geometry, k = kernelSize, out = outputChannels, cin = inputChannels
        let (h, w) = (g.height, g.width)
        let ranges = Parallelism.ranges(batch, workers: workers)
        let (inSize, outSize) = (g.inputSize, out * g.pixels)
        let weightCount = out * cin * k * k
        if g.pixels >= Self.directWeightGradientPixels {
            let perWorker = accordion_conv_scratch_count(Int32(cin), Int32(out), Int32(h), Int32(w), Int32(k), kernel)
            let scratch = columns.reserve(perWorker * ranges.count)
            let partials = gathered.reserve(weightCount * ranges.count)
            partials.update(repeating: 0, count: weightCount * ranges.count)
            Parallelism.run(ranges) { worker, range in
                let s = scratch + worker * perWorker, part = partials + worker * weightCount
                for n in range {
                    accordion_conv_same_weight_gradient(x + n * inSize, dy + n * outSize, Int32(cin), Int32(out),
                                                        Int32(h), Int32(w), Int32(k), kernel, part, s)
                }
            }
            weight.accumulateGradient { dw, beta in
                Self.addPartials(partials, parts: ranges.count, count: weightCount, into: dw, beta: beta)
            }
        } else {
            backwardByGEMM(input: x, outputGradient: dy, inputGradient: nil, batch: batch, workers: workers)
        }
        guard let dx else { return }
        let packed = directWeights.reserve(accordion_conv_packed_count(Int32(cin), Int32(out), Int32(k), kernel))
        weight.withValue { accordion_conv_pack($0, Int32(out), Int32(cin), Int32(k), 1, kernel, packed) }
        let perWorker = accordion_conv_scratch_count(Int32(out), Int32(cin), Int32(h), Int32(w), Int32(k), kernel)
        let scratch = columns.reserve(perWorker * ranges.count)
        Parallelism.run(ranges) { worker, range in
            let s = scratch + worker * perWorker
            for n in range {
                accordion_conv_same(dy + n * outSize, Int32(out), Int32(h), Int32(w), Int32(k), packed, Int32(cin),
                                    kernel, dx + n * inSize, s)
            }
        }
    }
}
