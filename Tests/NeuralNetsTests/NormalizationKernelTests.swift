import CConvKernels
import Testing
import Tensors
@testable import NeuralNets

/// The batch-norm plane passes in C (`Normalization.c`): the same bits in the AVX2 and the baseline
/// build, each plane summed in the documented order however the planes are split, and a ReLU fused
/// into the norm giving, backward, the bits of running the layers one after the other.
@Suite("Batch-norm plane kernels")
struct NormalizationKernelTests {
    /// Values of mixed magnitude, so that a change in the order of additions changes the bits.
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomStream(seed: seed, path: "normalization")
        return (0..<count).map { _ in Float(rng.normal()) * Float(1 << Int(rng.uniform() * 12)) }
    }

    /// The documented order for one plane: eight lanes within blocks of 1024 (lane 0 first when the
    /// lanes are added), the rest of a block in Double, blocks in Double.
    static func reference(_ count: Int, lane: (Int) -> Float, tail: (Int) -> Double) -> Double {
        var total = 0.0, i = 0
        while i < count {
            let end = min(count, i + 1024)
            var lanes = [Float](repeating: 0, count: 8)
            while i + 8 <= end {
                for k in 0..<8 { lanes[k] += lane(i + k) }
                i += 8
            }
            var block = Double(lanes.dropFirst().reduce(lanes[0], +))
            while i < end {
                block += tail(i)
                i += 1
            }
            total += block
        }
        return total
    }

    /// Elements whose bits differ (a count, so that a failure stays readable).
    static func differing(_ a: [Float], _ b: [Float]) -> Int {
        a.count != b.count ? max(a.count, b.count) : zip(a, b).count { $0.bitPattern != $1.bitPattern }
    }

    /// Plane lengths around the lane and block boundaries; odd and even plane counts, so that the
    /// split below cuts anywhere.
    static let shapes: [(planes: Int, count: Int)] = [(1, 1), (1, 7), (2, 8), (3, 13), (4, 196), (5, 784), (7, 1030), (9, 2055)]
    static let kernels: [Int32] = [0, accordion_conv_best_kernel()]

    @Test("Plane sums, squares and moments follow the documented order in every build and split", arguments: shapes)
    func planeStatistics(_ shape: (planes: Int, count: Int)) {
        let (planes, count) = shape
        let x = Self.values(planes * count, seed: 1), g = Self.values(planes * count, seed: 2)
        // A ReLU output: zeros, negatives and NaNs where the gradient must be dropped.
        var mask = Self.values(planes * count, seed: 3)
        for i in Swift.stride(from: 0, to: mask.count, by: 5) { mask[i] = i % 2 == 0 ? 0 : .nan }
        let centres: [Float] = [0.37, -1.5, 12]
        // The whole range at once, and split where a worker's range may end.
        let splits = [[0..<planes], [0..<planes / 2, planes / 2..<planes]]
        for kernel in Self.kernels {
            for ranges in splits {
                var sums = [Double](repeating: 0, count: planes), squares = sums, momentSums = sums, moments = sums
                var maskedSums = sums, maskedMoments = sums
                for r in ranges where !r.isEmpty {
                    let (first, n, p) = (Int32(r.lowerBound), Int32(r.count), Int32(count))
                    accordion_plane_sums(x, first, n, p, &sums, kernel)
                    accordion_plane_squares(x, first, n, p, centres, 3, &squares, kernel)
                    accordion_plane_moments(g, x, nil, first, n, p, centres, 3, &momentSums, &moments, kernel)
                    accordion_plane_moments(g, x, mask, first, n, p, centres, 3, &maskedSums, &maskedMoments, kernel)
                }
                for q in 0..<planes {
                    let o = q * count, c = centres[q % 3]
                    func masked(_ i: Int) -> Float { mask[o + i] > 0 ? g[o + i] : 0 }
                    let expected = [
                        Self.reference(count, lane: { x[o + $0] }, tail: { Double(x[o + $0]) }),
                        Self.reference(count, lane: { (x[o + $0] - c) * (x[o + $0] - c) },
                                       tail: { Double(x[o + $0] - c) * Double(x[o + $0] - c) }),
                        Self.reference(count, lane: { g[o + $0] }, tail: { Double(g[o + $0]) }),
                        Self.reference(count, lane: { g[o + $0] * (x[o + $0] - c) },
                                       tail: { Double(g[o + $0]) * Double(x[o + $0] - c) }),
                        Self.reference(count, lane: masked, tail: { Double(masked($0)) }),
                        Self.reference(count, lane: { masked($0) * (x[o + $0] - c) },
                                       tail: { Double(masked($0)) * Double(x[o + $0] - c) }),
                    ]
                    let got = [sums[q], squares[q], momentSums[q], moments[q], maskedSums[q], maskedMoments[q]]
                    #expect(got.map(\.bitPattern) == expected.map(\.bitPattern),
                            "kernel \(kernel), plane \(q) of \(planes), \(count) scalars, ranges \(ranges)")
                }
            }
        }
    }

    @Test("The normalising sweep and the input gradient are the scalar expressions in every build")
    func sweeps() {
        let (c, p, planes) = (3, 29, 7)
        let x = Self.values(planes * p, seed: 4), dy = Self.values(planes * p, seed: 5)
        var mask = Self.values(planes * p, seed: 6)
        mask[3] = .nan
        let a: [Float] = [0.5, -1.25, 3], mu: [Float] = [0.1, -2, 7], b: [Float] = [1, 0, -0.5]
        let k: [Float] = [0.01, -0.2, 1.5], sum: [Float] = [3, -4, 0.25], slope: [Float] = [0.7, 0.01, -2]
        let n: Float = 203
        for kernel in Self.kernels {
            for relu in [false, true] {
                var y = [Float](repeating: 0, count: planes * p)
                // Two calls over planes 0..<2 and 2..<7: a worker's range starts anywhere.
                accordion_batchnorm_sweep(x, &y, 0, 2, Int32(p), Int32(c), a, mu, b, relu ? 1 : 0, kernel)
                accordion_batchnorm_sweep(x, &y, 2, Int32(planes - 2), Int32(p), Int32(c), a, mu, b, relu ? 1 : 0, kernel)
                let expected = (0..<planes * p).map { i -> Float in
                    let ch = (i / p) % c
                    let v = (x[i] - mu[ch]) * a[ch] + b[ch]
                    return relu && v < 0 ? 0 : v
                }
                #expect(Self.differing(y, expected) == 0, "kernel \(kernel), relu \(relu)")
            }
            for masked in [false, true] {
                var dx = [Float](repeating: 0, count: planes * p)
                accordion_batchnorm_input_gradient(dy, x, masked ? mask : nil, &dx, 0, Int32(planes), Int32(p), Int32(c),
                                                   k, n, sum, mu, slope, kernel)
                let expected = (0..<planes * p).map { i -> Float in
                    let ch = (i / p) % c
                    let g = masked ? (mask[i] > 0 ? dy[i] : 0) : dy[i]
                    return k[ch] * (n * g - sum[ch] - (x[i] - mu[ch]) * slope[ch])
                }
                #expect(Self.differing(dx, expected) == 0, "kernel \(kernel), masked \(masked)")
            }
        }
    }

    /// Conv → BatchNorm → ReLU → max pool (→ a tail) through the engine, the ReLU fused into the
    /// norm, against the same layers run one by one, each unfused. With the pooling's output left
    /// alone (no tail, or a flatten), the pooling applies the ReLU's mask; with a tanh rewriting it
    /// in place, the norm does.
    @Test("A ReLU fused into batch norm gives, backward, the bits of the layers in turn",
          arguments: [("none", true), ("flatten", true), ("tanh", false)])
    func fusedBackward(_ tail: (name: String, poolApplies: Bool)) {
        func layers() -> [Layer] {
            var rng = RandomStream(seed: 8, path: "fused")
            let head: [Layer] = [Conv2D(inputChannels: 2, outputChannels: 6, kernelSize: 3, padding: 1, bias: false,
                                        name: "c", rng: &rng),
                                 BatchNorm(features: 6, name: "bn"), Activation(.relu), MaxPool2D(kernelSize: 2)]
            switch tail.name {
            case "flatten": return head + [Flatten()]
            case "tanh": return head + [Activation(.tanh)]
            default: return head
            }
        }
        var rng = RandomStream(seed: 9, path: "fused/data")
        let x: FloatTensor = rng.normalTensor(shape: [5, 2, 12, 12])
        let r: FloatTensor = rng.normalTensor(shape: [5, 6 * 6 * 6])

        let fused = layers()
        let model = Sequential(layers: fused, probePoints: [], inputShape: [2, 12, 12])
        #expect(model.chain.poolAppliesReLU[3] == tail.poolApplies)
        let y = model.forward(x, training: true)
        let dx = model.backwardToInput(r)

        let single = layers()
        var h = x
        for layer in single { h = layer.forward(h, training: true) }
        var g = r.reshaped(h.shape)
        for layer in single.reversed() { g = layer.backward(g) }

        #expect(Self.differing(y.scalars, h.scalars) == 0)
        #expect(Self.differing(dx.scalars, g.scalars) == 0)
        let grads = { (ls: [Layer]) in ls.flatMap(\.parameters).flatMap(\.grad.scalars) }
        #expect(Self.differing(grads(fused), grads(single)) == 0)
        // The ReLU cut some gradient: the comparison covers the mask.
        #expect(single[2].tape.output.scalars.contains(0))
    }
}
