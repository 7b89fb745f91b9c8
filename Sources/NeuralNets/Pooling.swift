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
        if g.kernel == 2 && g.stride == 2 && g.padding == 0 {
            forwardPairs(x, into: y, planes: planes, index: index)
            return
        }
        for plane in 0..<planes {
            let src = x + plane * g.inputPlane
            let dst = y + plane * g.outputPlane
            for a in 0..<g.outputHeight {
                let rows = g.window(a, extent: g.height)
                for b in 0..<g.outputWidth {
                    let cols = g.window(b, extent: g.width)
                    var best = -Float.infinity
                    var at = rows.lowerBound * g.width + cols.lowerBound
                    for i in rows {
                        for j in cols where src[i * g.width + j] > best || src[i * g.width + j].isNaN {
                            best = src[i * g.width + j]
                            at = i * g.width + j
                        }
                    }
                    dst[a * g.outputWidth + b] = best
                    index?[plane * g.outputPlane + a * g.outputWidth + b] = Int32(at)
                }
            }
        }
    }

    /// The 2×2, stride-2 windows of every CNN stage, eight outputs at a time: a row pair of 16
    /// inputs splits into its even and odd columns, and the four candidates are compared in the
    /// general loop's order (top-left, top-right, bottom-left, bottom-right), so the same arg-max
    /// wins on ties and NaN.
    private func forwardPairs(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, planes: Int,
                              index: UnsafeMutablePointer<Int32>?) {
        let g = geometry, (ho, wo, w) = (g.outputHeight, g.outputWidth, g.width)
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        for plane in 0..<planes {
            let src = x + plane * g.inputPlane
            let dst = y + plane * g.outputPlane
            let at = index.map { $0 + plane * g.outputPlane }
            for a in 0..<ho {
                let top = 2 * a * w, bottom = top + w
                var b = 0
                while b + 8 <= wo {
                    let c = 2 * b
                    let upper = UnsafeRawPointer(src + top + c).loadUnaligned(as: SIMD16<Float>.self)
                    let lower = UnsafeRawPointer(src + bottom + c).loadUnaligned(as: SIMD16<Float>.self)
                    var best = upper.evenHalf
                    var arg = lanes &+ Int32(top + c)
                    func consider(_ v: SIMD8<Float>, _ offset: Int) {
                        let take = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: take)
                        arg.replace(with: lanes &+ Int32(offset), where: take)
                    }
                    consider(upper.oddHalf, top + c + 1)
                    consider(lower.evenHalf, bottom + c)
                    consider(lower.oddHalf, bottom + c + 1)
                    UnsafeMutableRawPointer(dst + a * wo + b).storeBytes(of: best, as: SIMD8<Float>.self)
                    if let at { UnsafeMutableRawPointer(at + a * wo + b).storeBytes(of: arg, as: SIMD8<Int32>.self) }
                    b += 8
                }
                while b < wo {
                    let c = 2 * b
                    var best = src[top + c], arg = top + c
                    var v = src[top + c + 1]
                    if v > best || v.isNaN { (best, arg) = (v, top + c + 1) }
                    v = src[bottom + c]
                    if v > best || v.isNaN { (best, arg) = (v, bottom + c) }
                    v = src[bottom + c + 1]
                    if v > best || v.isNaN { (best, arg) = (v, bottom + c + 1) }
                    dst[a * wo + b] = best
                    at?[a * wo + b] = Int32(arg)
                    b += 1
                }
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        precondition(batch == recordedBatch, "[MaxPool2D.backward] batch \(batch) differs from the last training forward's \(recordedBatch)")
        let g = geometry, planes = batch * g.channels
        dx.update(repeating: 0, count: planes * g.inputPlane)
        let index = argmax.pointer
        for plane in 0..<planes {
            let d = dx + plane * g.inputPlane
            for o in 0..<g.outputPlane {
                d[Int(index[plane * g.outputPlane + o])] += dy[plane * g.outputPlane + o]
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
        for plane in 0..<(batch * g.channels) {
            let src = x + plane * g.inputPlane
            let dst = y + plane * g.outputPlane
            for a in 0..<g.outputHeight {
                let rows = g.window(a, extent: g.height)
                for b in 0..<g.outputWidth {
                    let cols = g.window(b, extent: g.width)
                    var sum: Float = 0
                    for i in rows { for j in cols { sum += src[i * g.width + j] } }
                    dst[a * g.outputWidth + b] = sum * scale
                }
            }
        }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        let g = geometry, scale = 1 / Float(g.kernel * g.kernel), planes = batch * g.channels
        dx.update(repeating: 0, count: planes * g.inputPlane)
        for plane in 0..<planes {
            let d = dx + plane * g.inputPlane
            let src = dy + plane * g.outputPlane
            for a in 0..<g.outputHeight {
                let rows = g.window(a, extent: g.height)
                for b in 0..<g.outputWidth {
                    let cols = g.window(b, extent: g.width)
                    let v = src[a * g.outputWidth + b] * scale
                    for i in rows { for j in cols { d[i * g.width + j] += v } }
                }
            }
        }
    }
}
