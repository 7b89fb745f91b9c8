import CConvKernels
import Testing
import Tensors
@testable import NeuralNets

/// The patch matrix in C (`Patches.c`): im2col equal to its definition, and col2im adding each
/// entry onto its pixel tap after tap, in every build (AVX-512, AVX2, baseline) and geometry.
@Suite("Patch-matrix kernels")
struct PatchKernelTests {
    struct Geometry: CustomStringConvertible, Sendable {
        var channels, height, width, kernel, stride, padding: Int
        var description: String { "\(channels)×\(height)×\(width) k\(kernel) s\(stride) p\(padding)" }
        var ho: Int { (height + 2 * padding - kernel) / stride + 1 }
        var wo: Int { (width + 2 * padding - kernel) / stride + 1 }
        var rows: Int { channels * kernel * kernel }
        var inputSize: Int { channels * height * width }
    }

    /// Stride-2 rows of 14 and 7 columns (ResNet stages) and lengths around the 8- and 4-column
    /// vector steps; stride 1 "same" (shifted planes) and "valid"; stride 3; 1×1 projections.
    static let geometries: [Geometry] = [
        Geometry(channels: 3, height: 28, width: 28, kernel: 3, stride: 2, padding: 1),
        Geometry(channels: 2, height: 14, width: 14, kernel: 3, stride: 2, padding: 1),
        Geometry(channels: 2, height: 9, width: 33, kernel: 3, stride: 2, padding: 1),
        Geometry(channels: 2, height: 7, width: 17, kernel: 5, stride: 2, padding: 2),
        Geometry(channels: 3, height: 28, width: 28, kernel: 1, stride: 2, padding: 0),
        Geometry(channels: 2, height: 15, width: 15, kernel: 1, stride: 2, padding: 0),
        Geometry(channels: 2, height: 8, width: 8, kernel: 4, stride: 2, padding: 1),
        Geometry(channels: 2, height: 7, width: 7, kernel: 3, stride: 1, padding: 1),
        Geometry(channels: 2, height: 6, width: 11, kernel: 5, stride: 1, padding: 2),
        Geometry(channels: 2, height: 9, width: 12, kernel: 3, stride: 1, padding: 0),
        Geometry(channels: 2, height: 10, width: 13, kernel: 3, stride: 3, padding: 1),
        Geometry(channels: 1, height: 3, width: 3, kernel: 3, stride: 2, padding: 2),
    ]
    static let kernels: [Int32] = Array(0...accordion_conv_best_kernel())

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomStream(seed: seed, path: "patches")
        return (0..<count).map { _ in Float(rng.normal()) * Float(1 << Int(rng.uniform() * 12)) }
    }

    /// Every entry of the patch matrix in the order (c, i, j, oh, ow): its index in a matrix of
    /// `ld` columns, its channel, and the pixel (ih, iw) it reads, possibly outside the image.
    static func forEachEntry(_ g: Geometry, ld: Int, _ body: (_ entry: Int, _ c: Int, _ ih: Int, _ iw: Int) -> Void) {
        for c in 0..<g.channels {
            for i in 0..<g.kernel {
                for j in 0..<g.kernel {
                    let row = (c * g.kernel + i) * g.kernel + j
                    for oh in 0..<g.ho {
                        for ow in 0..<g.wo {
                            body(row * ld + oh * g.wo + ow, c, oh * g.stride - g.padding + i, ow * g.stride - g.padding + j)
                        }
                    }
                }
            }
        }
    }

    /// The patch matrix by its definition, with `ld` columns per row (the rest left at `fill`).
    static func reference(_ g: Geometry, _ x: [Float], ld: Int, fill: Float) -> [Float] {
        var cols = [Float](repeating: fill, count: g.rows * ld)
        forEachEntry(g, ld: ld) { entry, c, ih, iw in
            let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
            cols[entry] = inside ? x[(c * g.height + ih) * g.width + iw] : 0
        }
        return cols
    }

    static func differing(_ a: [Float], _ b: [Float]) -> Int {
        a.count != b.count ? max(a.count, b.count) : zip(a, b).count { $0.bitPattern != $1.bitPattern }
    }

    @Test("im2col fills the patch matrix by its definition in every build", arguments: geometries)
    func im2col(_ g: Geometry) {
        let x = Self.values(g.inputSize, seed: 1)
        // A wider matrix: the columns past this example's must stay as they were.
        let ld = g.ho * g.wo + 5, fill: Float = 7.25
        let expected = Self.reference(g, x, ld: ld, fill: fill)
        for kernel in Self.kernels {
            var cols = [Float](repeating: fill, count: g.rows * ld)
            accordion_im2col(x, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernel), Int32(g.kernel),
                             Int32(g.stride), Int32(g.padding), &cols, ld, kernel)
            #expect(Self.differing(cols, expected) == 0, "kernel \(kernel)")
        }
    }

    @Test("col2im adds each entry onto its pixel, tap after tap, in every build", arguments: geometries)
    func col2im(_ g: Geometry) {
        let ld = g.ho * g.wo + 3
        let dcols = Self.values(g.rows * ld, seed: 2)
        // Earlier contributions, with negative zeros and a NaN that a pass rewriting the pixels
        // between the strided ones must keep bit for bit.
        var start = Self.values(g.inputSize, seed: 3)
        for k in Swift.stride(from: 1, to: start.count, by: 3) { start[k] = -0.0 }
        start[start.count / 2] = Float(bitPattern: 0x7FC0_1234)
        // By the definition: taps in order (c, i, j), each adding its entries onto their pixels.
        // The shifted-plane path adds zeros where a tap reads padding; +0 leaves nonzero values
        // and +0.0 alike, and turns −0.0 into +0.0, which the reference does the same way.
        var expected = start
        let shifted = g.stride == 1 && g.ho == g.height && g.wo == g.width && g.padding < g.width && g.padding < g.height
        let plane = g.height * g.width
        Self.forEachEntry(g, ld: ld) { entry, c, ih, iw in
            if ih >= 0 && ih < g.height && iw >= 0 && iw < g.width {
                expected[c * plane + ih * g.width + iw] += dcols[entry]
            } else if shifted && ih >= 0 && ih < g.height {
                // The wrapped column lands on the neighbouring row's pixel.
                let q = ih * g.width + iw
                if q >= 0 && q < plane { expected[c * plane + q] += 0 }
            }
        }
        for kernel in Self.kernels {
            var dx = start, d = dcols
            accordion_col2im(&d, ld, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernel), Int32(g.kernel),
                             Int32(g.stride), Int32(g.padding), &dx, kernel)
            #expect(Self.differing(dx, expected) == 0, "kernel \(kernel)")
        }
    }
}
