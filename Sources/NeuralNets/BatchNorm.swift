import CConvKernels
import Tensors

/// Batch normalisation over the batch and spatial axes of each channel (Ioffe & Szegedy 2015),
/// with PyTorch's conventions (`torch.nn.BatchNorm1d/2d`, momentum 0.1, ε = 1e-5).
///
/// Input `(C)` or `(C, H, W)` per example; statistics per channel over `N = B·H·W` values.
/// ```
/// training   μ = (1/N) Σ x,   σ² = (1/N) Σ (x − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ x̂ + β
///            running_mean ← (1 − m) running_mean + m μ
///            running_var  ← (1 − m) running_var  + m σ² · N/(N − 1)      (unbiased, as PyTorch)
/// eval       y = γ (x − running_mean)/√(running_var + ε) + β
/// backward   ∂β = Σ ∂y,   ∂γ = Σ ∂y x̂,   ∂x = γ/(N √(σ² + ε)) · (N ∂y − Σ ∂y − x̂ Σ ∂y x̂)
/// ```
/// Parameters `weight` (γ, init 1) and `bias` (β, init 0); buffers `running_mean` (init 0) and
/// `running_var` (init 1). Sums are accumulated in Double.
public final class BatchNorm: Layer {
    public let features: Int
    public let momentum: Double
    public let epsilon: Double
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: StateBuffer
    public let runningVariance: StateBuffer
    public let tape = LayerTape()

    private var plane = 1
    /// Per channel, from the last training forward: μ and 1/√(σ² + ε).
    private var batchMean: [Double]
    private var batchInverseStd: [Double]
    private var recordedBatch = 0

    public init(features: Int, momentum: Double = 0.1, epsilon: Double = 1e-5, name: String = "") {
        precondition(features > 0 && momentum >= 0 && momentum <= 1 && epsilon > 0,
                     "[BatchNorm] features \(features), momentum \(momentum), epsilon \(epsilon): need features > 0, momentum in [0, 1], epsilon > 0")
        self.features = features
        self.momentum = momentum
        self.epsilon = epsilon
        let prefix = name.isEmpty ? "" : name + "."
        weight = Parameter(name: prefix + "weight", value: FloatTensor(shape: [features], repeating: 1))
        bias = Parameter(name: prefix + "bias", value: FloatTensor(shape: [features]))
        runningMean = StateBuffer(name: prefix + "running_mean", value: FloatTensor(shape: [features]))
        runningVariance = StateBuffer(name: prefix + "running_var", value: FloatTensor(shape: [features], repeating: 1))
        batchMean = [Double](repeating: 0, count: features)
        batchInverseStd = [Double](repeating: 1, count: features)
    }

    public var summary: String { "BatchNorm(\(features))" }
    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [StateBuffer] { [runningMean, runningVariance] }
    public var backwardReadsOutput: Bool { false }

    public func configure(inputShape: [Int]) -> [Int] {
        precondition(!inputShape.isEmpty && inputShape[0] == features,
                     "[BatchNorm.forward] input shape \(inputShape) does not have \(features) channels first")
        plane = inputShape.dropFirst().reduce(1, *)
        return inputShape
    }

    public func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        forward(x, into: y, batch: batch, training: training, fusedReLU: false)
    }

    /// The forward pass, optionally followed by a ReLU in the same sweep over `y`
    /// (`y = max(0, γ x̂ + β)`), which the engine uses for `BatchNorm` → `ReLU` pairs.
    ///
    /// With several workers (``Parallelism``) the per-plane sums and the sweep are split by planes;
    /// each plane's sum has fixed bits and each channel's are added in example order, so the bits
    /// do not depend on the worker count.
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool,
                 fusedReLU: Bool) {
        let (scale, centre, shift) = affine(x, batch: batch, training: training)
        let c = features, p = plane
        Parallelism.split(batch * c) { planes in
            accordion_batchnorm_sweep(x, y, Int32(planes.lowerBound), Int32(planes.count), Int32(p), Int32(c),
                                      scale, centre, shift, fusedReLU ? 1 : 0, Kernels.planeKernel)
        }
    }

    /// The training forward pass of this norm, a ReLU and the 2×2 max pooling `pool` after them:
    /// the pooling reads `x` and normalises each candidate itself (`pool.forward(normalizing:…)`),
    /// so the norm's own output is never written. Its backward pass needs only `x`, and the
    /// pooling applies the ReLU's mask (``Chain``), so nothing else reads that output.
    func forward(_ x: UnsafePointer<Float>, pooledBy pool: MaxPool2D, into y: UnsafeMutablePointer<Float>, batch: Int) {
        let (scale, centre, shift) = affine(x, batch: batch, training: true)
        pool.forward(normalizing: x, channels: features, scale: scale, centre: centre, shift: shift, into: y, batch: batch)
    }

    /// `(scale, centre, shift)` per channel, so that the output is `(x − centre)·scale + shift`:
    /// from the batch's statistics in training (recording them, and updating the running ones),
    /// from the running statistics otherwise.
    private func affine(_ x: UnsafePointer<Float>, batch: Int, training: Bool)
        -> (scale: [Float], centre: [Float], shift: [Float]) {
        let c = features, p = plane
        let count = batch * p
        // y = (x − centre)·scale + shift, centred first so that large means do not cancel.
        var params = [(scale: Float, centre: Float, shift: Float)](repeating: (0, 0, 0), count: c)
        if training {
            precondition(count > 1, "[BatchNorm.forward] training needs more than one value per channel, got \(count)")
            recordedBatch = batch
            // Per-plane sums in memory order, split across workers by planes; each channel's
            // added in example order.
            let sums = Kernels.perPlane(batch * c) { Kernels.planeSums(x, planes: $0, size: p, into: $1) }
            let means = Kernels.channelTotals(sums, channels: c).map { $0 / Double(count) }
            let centres = means.map { Float($0) }
            let squares = Kernels.perPlane(batch * c) {
                Kernels.planeSquares(x, planes: $0, size: p, centres: centres, channels: c, into: $1)
            }
            let moments = zip(means, Kernels.channelTotals(squares, channels: c)).map { mean, squares in
                // Centring at the Float-rounded mean leaves a tiny offset δ: Σ(x − μ)² = Σ(x − μ')² − Nδ².
                let offset = Double(Float(mean)) - mean
                return (mean: mean, variance: max(0, squares - Double(count) * offset * offset) / Double(count))
            }
            let m = momentum, unbias = Double(count) / Double(count - 1)
            for ch in 0..<c {
                let (mean, variance) = moments[ch]
                batchMean[ch] = mean
                batchInverseStd[ch] = 1 / (variance + epsilon).squareRoot()
                runningMean.value.scalars[ch] = Float((1 - m) * Double(runningMean.value.scalars[ch]) + m * mean)
                runningVariance.value.scalars[ch] = Float((1 - m) * Double(runningVariance.value.scalars[ch]) + m * variance * unbias)
                params[ch] = (Float(Double(weight.value.scalars[ch]) * batchInverseStd[ch]), Float(mean), bias.value.scalars[ch])
            }
        } else {
            for ch in 0..<c {
                params[ch] = (Float(Double(weight.value.scalars[ch]) / (Double(runningVariance.value.scalars[ch]) + epsilon).squareRoot()),
                              runningMean.value.scalars[ch], bias.value.scalars[ch])
            }
        }
        return (params.map(\.scale), params.map(\.centre), params.map(\.shift))
    }

    public func backward(input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>?,
                         batch: Int) {
        backward(input: x, outputGradient: dy, inputGradient: dx, batch: batch, reluOutput: nil)
    }

    /// The backward pass; with `reluOutput`, that of this layer followed by a ReLU whose output it
    /// is (the fused forward's `y`), `dy` being the gradient at the ReLU's output: the ReLU's
    /// backward (`∂y · [y > 0]`) is applied as `dy` is read, with the bits of running it first.
    func backward(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?, batch: Int, reluOutput: UnsafePointer<Float>?) {
        precondition(batch == recordedBatch, "[BatchNorm.backward] batch \(batch) differs from the last training forward's \(recordedBatch)")
        let c = features, p = plane
        let count = Double(batch * p)
        // Per channel: Σ ∂y and Σ ∂y x̂.
        let means = batchMean, inverseStd = batchInverseStd
        let centres = means.map { Float($0) }
        var planeSums = [Double](repeating: 0, count: batch * c), planeMoments = planeSums
        planeSums.withUnsafeMutableBufferPointer { sums in
            planeMoments.withUnsafeMutableBufferPointer { moments in
                Parallelism.split(batch * c) {
                    Kernels.planeMoments(dy, x, mask: reluOutput, planes: $0, size: p, centres: centres, channels: c,
                                         sums: sums.baseAddress!, moments: moments.baseAddress!)
                }
            }
        }
        let dySums = Kernels.channelTotals(planeSums, channels: c)
        let dyMoments = Kernels.channelTotals(planeMoments, channels: c)
        // Σ ∂y x̂ = inv · Σ ∂y (x − μ); the moment was taken about the Float-rounded μ.
        let sums = (0..<c).map { ch -> (dy: Double, dyXhat: Double) in
            let offset: Double = Double(centres[ch]) - means[ch]
            return (dySums[ch], (dyMoments[ch] + dySums[ch] * offset) * inverseStd[ch])
        }
        weight.accumulateGradient { dgamma, beta in
            for ch in 0..<c { dgamma[ch] = (beta == 0 ? 0 : dgamma[ch]) + Float(sums[ch].dyXhat) }
        }
        bias.accumulateGradient { dbeta, beta in
            for ch in 0..<c { dbeta[ch] = (beta == 0 ? 0 : dbeta[ch]) + Float(sums[ch].dy) }
        }
        guard let dx else { return }
        // ∂x = k (N ∂y − Σ∂y − x̂ Σ∂y x̂) with k = γ inv / N and x̂ = (x − μ) inv.
        let n = Float(count)
        var k = [Float](), sum = [Float](), mu = [Float](), slope = [Float]()
        for ch in 0..<c {
            let inv = inverseStd[ch]
            k.append(Float(Double(weight.value.scalars[ch]) * inv / count))
            sum.append(Float(sums[ch].dy))
            mu.append(Float(means[ch]))
            slope.append(Float(sums[ch].dyXhat * inv))
        }
        Parallelism.split(batch * c) { planes in
            accordion_batchnorm_input_gradient(dy, x, reluOutput, dx, Int32(planes.lowerBound), Int32(planes.count),
                                               Int32(p), Int32(c), k, n, sum, mu, slope, Kernels.planeKernel)
        }
    }
}

/// A layer whose forward pass can apply a following ReLU in the same sweep over its output.
protocol ReLUFusing: Layer {
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool,
                 fusedReLU: Bool)
}

extension BatchNorm: ReLUFusing {}

extension Dense: ReLUFusing {
    func forward(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, batch: Int, training: Bool,
                 fusedReLU: Bool) {
        forward(x, into: y, batch: batch, fusedReLU: fusedReLU)
    }
}
