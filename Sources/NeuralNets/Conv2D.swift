import Tensors

/// 2-D convolution over NCHW images with PyTorch's weight layout `(out, in, kh, kw)`
/// (`torch.nn.Conv2d`, cross-correlation, no dilation, no groups).
///
/// ```
/// forward   y[n, o, a, b] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, a·s − p + i, b·s − p + j]
///           computed as  Y_n = W · cols(x_n)              W: (out, C·kh·kw), cols: (C·kh·kw, Ho·Wo)
/// backward  ∂W += Σ_n ∂Y_n · cols(x_n)ᵀ,   ∂b[o] += Σ_{n,a,b} ∂y[n, o, a, b],
///           ∂x_n = col2im(Wᵀ · ∂Y_n)
/// Ho = ⌊(H + 2p − kh)/s⌋ + 1,  Wo likewise.
/// ```
/// Stride-1 "same" convolutions (odd k, padding k/2) skip the patch matrix and run on direct
/// kernels instead (``usesDirectPath``, `Conv2D+Direct.swift`); the rest use im2col + GEMM:
/// several examples share one GEMM when an image's output is small, so the matrices stay large
/// enough to run near the BLAS peak; the patch matrix is rebuilt in the backward pass rather than
/// kept, so memory stays O(chunk), not O(batch).
///
/// Initialisation: `initializer` with fan-in `C·kh·kw` and fan-out `out·kh·kw` (PyTorch's fans);
/// `.pytorch` reproduces `Conv2d`'s default `U(±1/√fan_in)` for weight and bias.
/// - Complexity: O(B · out · C · kh · kw · Ho · Wo) per pass.
public final class Conv2D: Layer, ScratchOwner {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    public let weight: Parameter
    /// Nil for a convolution without bias (the usual choice before batch normalisation).
    public let bias: Parameter?
    public let tape = LayerTape()

    var geometry: ConvGeometry
    /// Patch matrices (im2col path) or padded planes (direct path).
    let columns = Scratch<Float>()
    /// Staging of several examples' outputs (im2col path) or per-worker weight gradients (direct).
    let gathered = Scratch<Float>()
    /// Weights packed for the direct kernels, or per-worker weight gradients (im2col path).
    let directWeights = Scratch<Float>()
    /// Target size of the patch-matrix buffer, in scalars (4 MiB).
    private static let chunkBudget = 1 << 20

    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, initializer: Initializer = .he, name: String = "", rng: inout RandomStream) {
        precondition(inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "[Conv2D] channels \(inputChannels)→\(outputChannels), kernel \(kernelSize), stride \(stride), padding \(padding) must be positive (padding ≥ 0)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let prefix = name.isEmpty ? "" : name + "."
        let area = kernelSize * kernelSize
        weight = Parameter(name: prefix + "weight",
                           value: initializer.weights(shape: [outputChannels, inputChannels, kernelSize, kernelSize],
                                                      fanIn: inputChannels * area, fanOut: outputChannels * area, rng: &rng))
        self.bias = bias ? Parameter(name: prefix + "bias",
                                     value: initializer.bias(count: outputChannels, fanIn: inputChannels * area, rng: &rng)) : nil
        geometry = ConvGeometry(channels: inputChannels, height: kernelSize, width: kernelSize,
                                kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride, padding: padding)
    }

    public var summary: String {
        "Conv2D(\(inputChannels)→\(outputChannels), \(kernelSize)×\(kernelSize), stride \(stride), padding \(padding))"
    }
    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }
    var reservedBytes: Int { columns.bytes + gathered.bytes + directWeights.bytes }
    /// Output pixels per channel, `Ho·Wo`, for the configured input.
    var outputPixels: Int { geometry.pixels }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3 && inputShape[0] == inputChannels,
                     "[Conv2D.forward] input shape \(inputShape) is not (\(inputChannels), H, W)")
        geometry.height = inputShape[1]
        geometry.width = inputShape[2]
        precondition(geometry.height + 2 * padding >= kernelSize && geometry.width + 2 * padding >= kernelSize,
                     "[Conv2D.forward] \(kernelSize)×\(kernelSize) kernel does not fit a \(inputShape[1])×\(inputShape[2]) image with padding \(padding)")
        return [outputChannels, geometry.outputHeight, geometry.outputWidth]
    }

    /// Examples per GEMM: enough output columns for an efficient GEMM, within the buffer budget.
    private func chunk(batch: Int) -> Int {
        if geometry.isPointwise { return 1 }
        let wanted = (512 + geometry.pixels - 1) / geometry.pixels
        let affordable = max(1, Conv2D.chunkBudget / max(1, geometry.patchSize * geometry.pixels))
        return max(1, min(batch, wanted, affordable))
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        if usesDirectPath {
            forwardDirect(x, into: y, batch: batch, workers: Parallelism.workers)
        } else {
            forwardByGEMM(x, into: y, batch: batch, workers: Parallelism.workers)
        }
        addBias(y, batch: batch)
    }

    private func addBias(_ y: UnsafeMutablePointer<Float>, batch: Int) {
        guard let bias else { return }
        let p = geometry.pixels, out = outputChannels
        bias.withValue { b in
            Parallelism.split(batch * out) { planes in
                for q in planes {
                    let row = y + q * p, v = b[q % out]
                    for i in 0..<p { row[i] += v }
                }
            }
        }
    }

    /// `dw ← β·dw + Σ_r partials_r` over `parts` per-worker sums of `count` scalars each, added in
    /// worker order so that a fixed worker count gives fixed bits (`β` is 0 or 1, as
    /// ``Parameter/accumulateGradient(_:)`` hands it).
    static func addPartials(_ partials: UnsafePointer<Float>, parts: Int, count: Int,
                            into dw: UnsafeMutablePointer<Float>, beta: Float) {
        if beta == 0 { dw.update(from: partials, count: count) } else {
            Kernels.accumulate(partials, into: dw, count: count)
        }
        for r in 1..<max(1, parts) { Kernels.accumulate(partials + r * count, into: dw, count: count) }
    }

    /// The patch matrix of examples `start ..< start + count` (row stride `count·P`): built in
    /// `cols`, or the input itself when the convolution is pointwise (`cols` nil).
    private func patchMatrix(_ x: UnsafePointer<Float>, start: Int, count: Int,
                             into cols: UnsafeMutablePointer<Float>?) -> UnsafePointer<Float> {
        let g = geometry, p = g.pixels
        guard let cols else { return x + start * g.inputSize }
        for e in 0..<count { g.im2col(x + (start + e) * g.inputSize, into: cols + e * p, ld: count * p) }
        return UnsafePointer(cols)
    }

    /// `Y = W · cols(X)`, several examples per GEMM when their outputs are small; with several
    /// workers each takes a contiguous range of examples and its own patch and staging buffers.
    private func forwardByGEMM(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, workers: Int) {
        let g = geometry, p = g.pixels, k = g.patchSize, out = outputChannels
        let step = chunk(batch: batch)
        let ranges = Parallelism.ranges(batch, workers: workers)
        let colsBase = g.isPointwise ? nil : columns.reserve(k * p * step * ranges.count)
        let stagingBase = step > 1 ? gathered.reserve(out * p * step * ranges.count) : nil
        weight.withValue { w in
            Parallelism.run(ranges) { worker, range in
                let cols = colsBase.map { $0 + worker * k * p * step }
                let staging = stagingBase.map { $0 + worker * out * p * step }
                var start = range.lowerBound
                while start < range.upperBound {
                    let s = min(step, range.upperBound - start)
                    let ld = s * p
                    let patches = patchMatrix(x, start: start, count: s, into: cols)
                    // One example writes straight into its NCHW slot; several go through a staging
                    // matrix (out, s·P) whose blocks are then moved to their examples.
                    let target = staging ?? (y + start * out * p)
                    gemmRaw(.none, .none, m: out, n: ld, k: k, alpha: 1, w, lda: k, patches, ldb: ld, beta: 0, target, ldc: ld)
                    if let staging {
                        for e in 0..<s {
                            for o in 0..<out {
                                (y + ((start + e) * out + o) * p).update(from: staging + o * ld + e * p, count: p)
                            }
                        }
                    }
                    start += s
                }
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        let p = geometry.pixels, out = outputChannels
        if let bias {
            bias.accumulateGradient { db, beta in
                if beta == 0 { db.update(repeating: 0, count: out) }
                // Plane sums split by planes; each channel's added in example order.
                let sums = Kernels.perPlane(batch * out) { Kernels.planeSums(dy, planes: $0, size: p, into: $1) }
                for (q, v) in sums.enumerated() { db[q % out] += Float(v) }
            }
        }
        if usesDirectPath {
            backwardDirect(input: x, outputGradient: dy, inputGradient: dx, batch: batch, workers: Parallelism.workers)
        } else {
            backwardByGEMM(input: x, outputGradient: dy, inputGradient: dx, batch: batch, workers: Parallelism.workers)
        }
    }

    /// `∂W += Σ ∂Y cols(X)ᵀ` and, unless `dx` is nil, `∂X = col2im(Wᵀ ∂Y)`, chunk by chunk.
    ///
    /// With several workers each takes a contiguous range of examples; its weight-gradient sum goes
    /// to its own partial buffer, and the partials are added to ∂W in range order afterwards.
    func backwardByGEMM(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                        inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, workers: Int) {
        let g = geometry, p = g.pixels, k = g.patchSize, out = outputChannels
        let step = chunk(batch: batch)
        let ranges = Parallelism.ranges(batch, workers: workers)
        let colsBase = g.isPointwise ? nil : columns.reserve(k * p * step * ranges.count)
        let stagingBase = step > 1 ? gathered.reserve(out * p * step * ranges.count) : nil
        let weightCount = out * k
        let partials = ranges.count > 1 ? directWeights.reserve(weightCount * ranges.count) : nil
        /// One worker's share: its examples' gradient sum into `dw` (`β` for the first product).
        func sweep(_ worker: Int, _ range: Range<Int>, _ w: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                   _ firstBeta: Float) {
            let cols = colsBase.map { $0 + worker * k * p * step }
            let staging = stagingBase.map { $0 + worker * out * p * step }
            if let dx, !g.isPointwise {
                (dx + range.lowerBound * g.inputSize).update(repeating: 0, count: range.count * g.inputSize)
            }
            var start = range.lowerBound
            var beta = firstBeta
            while start < range.upperBound {
                let s = min(step, range.upperBound - start)
                let ld = s * p
                // ∂Y for the chunk as one (out, s·P) matrix.
                let gradient: UnsafePointer<Float>
                if let staging {
                    for e in 0..<s {
                        for o in 0..<out {
                            (staging + o * ld + e * p).update(from: dy + ((start + e) * out + o) * p, count: p)
                        }
                    }
                    gradient = UnsafePointer(staging)
                } else {
                    gradient = dy + start * out * p
                }
                let patches = patchMatrix(x, start: start, count: s, into: cols)
                gemmRaw(.none, .transposed, m: out, n: k, k: ld, alpha: 1, gradient, lda: ld, patches, ldb: ld,
                        beta: beta, dw, ldc: k)
                beta = 1
                if let dx {
                    if let cols {
                        // The patches are no longer needed: their buffer takes ∂cols = Wᵀ ∂Y.
                        gemmRaw(.transposed, .none, m: k, n: ld, k: out, alpha: 1, w, lda: k, gradient, ldb: ld,
                                beta: 0, cols, ldc: ld)
                        for e in 0..<s { g.col2im(cols + e * p, ld: ld, into: dx + (start + e) * g.inputSize) }
                    } else {
                        gemmRaw(.transposed, .none, m: k, n: ld, k: out, alpha: 1, w, lda: k, gradient, ldb: ld,
                                beta: 0, dx + start * g.inputSize, ldc: ld)
                    }
                }
                start += s
            }
        }
        weight.accumulateGradient { dw, firstBeta in
            weight.withValue { w in
                guard let partials else {
                    sweep(0, ranges[0], w, dw, firstBeta)
                    return
                }
                Parallelism.run(ranges) { worker, range in sweep(worker, range, w, partials + worker * weightCount, 0) }
                Self.addPartials(partials, parts: ranges.count, count: weightCount, into: dw, beta: firstBeta)
            }
        }
    }
}
