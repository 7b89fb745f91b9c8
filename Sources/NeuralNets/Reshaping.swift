import Tensors

/// Global average pooling: one mean per channel (`torch.nn.AdaptiveAvgPool2d(1)` then flatten).
///
/// ```
/// forward   y[n, c] = (1/HW) Σ_{i,j} x[n, c, i, j]          (C, H, W) → (C)
/// backward  ∂x[n, c, i, j] = ∂y[n, c] / HW
/// ```
public final class GlobalAvgPool: Layer {
    public let tape = LayerTape()
    private var channels = 0, plane = 0

    public init() {}

    public var summary: String { "GlobalAvgPool" }
    public var backwardReadsInput: Bool { false }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3 && inputShape[1] * inputShape[2] > 0,
                     "[GlobalAvgPool.forward] input shape \(inputShape) is not (C, H, W)")
        channels = inputShape[0]
        plane = inputShape[1] * inputShape[2]
        return [channels]
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let scale = 1 / Float(plane), rows = batch * channels
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: rows)
        defer { sums.deallocate() }
        Kernels.planeSums(x, planes: 0..<rows, size: plane, into: sums)
        for row in 0..<rows { y[row] = Float(sums[row]) * scale }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        guard let dx else { return }
        let scale = 1 / Float(plane)
        for row in 0..<(batch * channels) {
            (dx + row * plane).update(repeating: dy[row] * scale, count: plane)
        }
    }
}

/// Flattens each example to a vector (`torch.nn.Flatten()`): `(C, H, W) → (C·H·W)`.
///
/// Row-major storage makes this the identity on memory; in a model it runs in place and costs
/// nothing.
public final class Flatten: Layer {
    public let tape = LayerTape()
    private var features = 0

    public init() {}

    public var summary: String { "Flatten" }
    public var canRunInPlace: Bool { true }
    public var backwardReadsInput: Bool { false }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        features = inputShape.reduce(1, *)
        return [features]
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        if UnsafePointer(y) != x { y.update(from: x, count: batch * features) }
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        if let dx, UnsafePointer(dx) != dy { dx.update(from: dy, count: batch * features) }
    }
}
