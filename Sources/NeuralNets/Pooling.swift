import CConvKernels
import Tensors

/// Window geometry shared by the pooling layers (PyTorch's floor mode).
struct PoolGeometry {
    var channels = 0, height = 0, width = 0
    let kernel: Int, stride: Int, padding: Int

    var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var inputPlane: Int { height * width }
    var outputPlane: Int { outputHeight * outputWidth }

    mutating func configure(_ shape: [Int], op: String) -> [Int] {
        precondition(shape.count == 3, "[\(op).forward] input shape \(shape) is not (C, H, W)")
        (channels, height, width) = (shape[0], shape[1], shape[2])
        precondition(height + 2 * padding >= kernel && width + 2 * padding >= kernel,
                     "[\(op).forward] \(kernel)×\(kernel) window does not fit a \(height)×\(width) image with padding \(padding)")
        return [channels, outputHeight, outputWidth]
    }

    /// The input rows (or columns) the window starting at output index `o` covers.
    @inline(__always)
    func window(_ o: Int, extent: Int) -> Range<Int> {
        let start = o * stride - padding
        return max(0, start)..<min(extent, start + kernel)
    }

    /// Runs `body(plane)` for every plane of `batch` examples; planes are independent, so each of
    /// the stage's workers takes a contiguous range of them.
    func forEachPlane(batch: Int, _ body: (Int) -> Void) {
        splitPlanes(batch: batch) { planes in
            for plane in planes { body(plane) }
        }
    }

    /// The batch's planes split into contiguous ranges across the workers (``Parallelism``).
    func splitPlanes(batch: Int, _ body: (Range<Int>) -> Void) {
        Parallelism.split(batch * channels, minimum: 64, body)
    }

    /// Runs `body(o, rows, columns)` for every output position `o` of a plane and the input rows
    /// and columns its window covers.
    @inline(__always)
    func forEachWindow(_ body: (Int, Range<Int>, Range<Int>) -> Void) {
        for a in 0..<outputHeight {
            let rows = window(a, extent: height)
            for b in 0..<outputWidth { body(a * outputWidth + b, rows, window(b, extent: width)) }
        }
    }
}

/// Max pooling over `k×k` windows (`torch.nn.MaxPool2d(k, stride, padding)`).
///
/// ```
/// forward   y[n, c, a, b] = max_{(i,j) ∈ window(a,b)} x[n, c, i, j]     (padding never wins)
/// backward  ∂x[n, c, i*, j*] += ∂y[n, c, a, b]   at the arg-max (the first one on ties)
/// ```
public final class MaxPool2D: Layer, ScratchOwner {
    public let kernelSize: Int, stride: Int, padding: Int
    public let tape = LayerTape()
    private var geometry: PoolGeometry
    /// Arg-max of each output within its input plane, from the last training forward.
    private let argmax = Scratch<Int32>()
    private var recordedBatch = 0
    /// The vector kernel of the 2×2 fast path: the best this CPU runs, or a lower one tests name.
    var vectorKernel = Conv2D.bestKernel

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        let s = stride ?? kernelSize
        precondition(kernelSize > 0 && s > 0 && padding >= 0 && 2 * padding <= kernelSize,
                     "[MaxPool2D] kernel \(kernelSize), stride \(s), padding \(padding): need positive kernel and stride, padding ≤ kernel/2")
        (self.kernelSize, self.stride, self.padding) = (kernelSize, s, padding)
        geometry = PoolGeometry(kernel: kernelSize, stride: s, padding: padding)
    }

    public var summary: String { "MaxPool2D(\(kernelSize)×\(kernelSize), stride \(stride))" }
    var reservedBytes: Int { argmax.bytes }
    public var backwardReadsInput: Bool { false }
    public var backwardReadsOutput: Bool { false }
    public func configure(inputShape: [Int]) -> [Int] { geometry.configure(inputShape, op: "MaxPool2D") }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let g = geometry, planes = batch * g.channels
        let index: UnsafeMutablePointer<Int32>? = training ? argmax.reserve(planes * g.outputPlane) : nil
        if training { recordedBatch = batch }
        if isTwoByTwo {
            // The 2×2 windows of every CNN stage, in C (CConvKernels/Pooling.c): the candidates
            // are compared in this loop's order, so the same arg-max wins on ties and NaN.
            // Planes are independent; each worker takes a contiguous range of them.
            g.splitPlanes(batch: batch) { r in
                accordion_maxpool2x2(x + r.lowerBound * g.inputPlane, Int32(r.count), Int32(g.height), Int32(g.width),
                                     y + r.lowerBound * g.outputPlane, index.map { $0 + r.lowerBound * g.outputPlane },
                                     vectorKernel)
            }
            return
        }
        g.forEachPlane(batch: batch) { plane in
            let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane
            g.forEachWindow { o, rows, cols in
                var best = -Float.infinity
                var at = rows.lowerBound * g.width + cols.lowerBound
                for i in rows {
                    for j in cols where src[i * g.width + j] > best || src[i * g.width + j].isNaN {
                        best = src[i * g.width + j]
                        at = i * g.width + j
                    }
                }
                dst[o] = best
                index?[plane * g.outputPlane + o] = Int32(at)
            }
        }
    }

    /// Whether the 2×2 windows with stride 2 (the C path) are this pooling's.
    var isTwoByTwo: Bool { geometry.kernel == 2 && geometry.stride == 2 && geometry.padding == 0 }

    /// The training forward pass over max(0, (x − centre)·scale + shift) per channel, each
    /// candidate computed as the batch norm's sweep computes it (the same bits), without writing
    /// the normalised planes (``BatchNorm/forward(_:pooledBy:into:batch:)``). 2×2 windows only.
    func forward(normalizing x: UnsafePointer<Float>, channels: Int, scale: [Float], centre: [Float], shift: [Float],
                 into y: UnsafeMutablePointer<Float>, batch: Int) {
        precondition(isTwoByTwo && channels == geometry.channels, "[MaxPool2D] normalising needs 2×2 windows of every channel")
        let g = geometry, planes = batch * g.channels
        let index = argmax.reserve(planes * g.outputPlane)
        recordedBatch = batch
        g.splitPlanes(batch: batch) { r in
            accordion_batchnorm_relu_maxpool2x2(x + r.lowerBound * g.inputPlane, Int32(r.lowerBound), Int32(r.count),
                                                Int32(g.height), Int32(g.width), Int32(channels), scale, centre, shift,
                                                y + r.lowerBound * g.outputPlane, index + r.lowerBound * g.outputPlane,
                                                vectorKernel)
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        backward(output: y, outputGradient: dy, inputGradient: dx, batch: batch, maskingReLU: false)
    }

    /// The backward pass; with `maskingReLU`, also that of a ReLU whose output this pooling's input
    /// is: a window's gradient is dropped unless its maximum `y` is positive (the ReLU's mask at the
    /// arg-max, the only place the gradient goes).
    func backward(output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, maskingReLU: Bool) {
        guard let dx else { return }
        precondition(batch == recordedBatch, "[MaxPool2D.backward] batch \(batch) differs from the last training forward's \(recordedBatch)")
        let g = geometry
        let index = argmax.pointer
        if isTwoByTwo {
            // In C (CConvKernels/Pooling.c): every scalar of a plane written once, no zeroing pass.
            g.splitPlanes(batch: batch) { r in
                accordion_maxpool2x2_backward(dy + r.lowerBound * g.outputPlane,
                                              maskingReLU ? y + r.lowerBound * g.outputPlane : nil,
                                              index + r.lowerBound * g.outputPlane, Int32(r.count), Int32(g.height),
                                              Int32(g.width), dx + r.lowerBound * g.inputPlane, vectorKernel)
            }
            return
        }
        g.forEachPlane(batch: batch) { plane in
            let d = dx + plane * g.inputPlane
            d.update(repeating: 0, count: g.inputPlane)
            for o in plane * g.outputPlane..<(plane + 1) * g.outputPlane {
                let v = dy[o]
                d[Int(index[o])] += maskingReLU ? (y[o] > 0 ? v : 0) : v
            }
        }
    }
}

/// Average pooling over `k×k` windows (`torch.nn.AvgPool2d(k, stride, padding)`, padding counted
/// in the divisor as PyTorch's default `count_include_pad=True`).
///
/// ```
/// forward   y[n, c, a, b] = (1/k²) Σ_{(i,j) ∈ window(a,b)} x[n, c, i, j]
/// backward  ∂x[n, c, i, j] += ∂y[n, c, a, b] / k²   for every window holding (i, j)
/// ```
public final class AvgPool2D: Layer {
    public let kernelSize: Int, stride: Int, padding: Int
    public let tape = LayerTape()
    private var geometry: PoolGeometry

    public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        let s = stride ?? kernelSize
        precondition(kernelSize > 0 && s > 0 && padding >= 0 && 2 * padding <= kernelSize,
                     "[AvgPool2D] kernel \(kernelSize), stride \(s), padding \(padding): need positive kernel and stride, padding ≤ kernel/2")
        (self.kernelSize, self.stride, self.padding) = (kernelSize, s, padding)
        geometry = PoolGeometry(kernel: kernelSize, stride: s, padding: padding)
    }

    public var summary: String { "AvgPool2D(\(kernelSize)×\(kernelSize), stride \(stride))" }
    public var backwardReadsInput: Bool { false }
    public var backwardReadsOutput: Bool { false }
    public func configure(inputShape: [Int]) -> [Int] { geometry.configure(inputShape, op: "AvgPool2D") }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let g = geometry, scale = 1 / Float(g.kernel * g.kernel)
        g.forEachPlane(batch: batch) { plane in
            let src = x + plane * g.inputPlane, dst = y + plane * g.outputPlane
            g.forEachWindow { o, rows, cols in
                var sum: Float = 0
                for i in rows { for j in cols { sum += src[i * g.width + j] } }
                dst[o] = sum * scale
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        let g = geometry, scale = 1 / Float(g.kernel * g.kernel)
        g.forEachPlane(batch: batch) { plane in
            let d = dx + plane * g.inputPlane, src = dy + plane * g.outputPlane
            d.update(repeating: 0, count: g.inputPlane)
            g.forEachWindow { o, rows, cols in
                let v = src[o] * scale
                for i in rows { for j in cols { d[i * g.width + j] += v } }
            }
        }
    }
}
