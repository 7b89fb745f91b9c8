import CConvKernels
import Tensors

/// Elementwise loops shared by the layers, on raw row-major buffers.
///
/// The bodies work on eight lanes at a time with masks instead of branches: a data-dependent
/// branch per scalar (ReLU's sign test) mispredicts half the time and costs more than the
/// arithmetic. Outputs may alias inputs.
enum Kernels {
    typealias Lanes = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self) }

    /// `y[r, j] += b[j]` for every row `r` (rows `stride` apart, `columns` by default).
    @inline(__always)
    static func addRowVector(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, columns: Int,
                             stride: Int? = nil) {
        for r in 0..<rows {
            let row = y + r * (stride ?? columns)
            var j = 0
            while j + 8 <= columns {
                store(load(row + j) + load(b + j), row + j)
                j += 8
            }
            while j < columns {
                row[j] += b[j]
                j += 1
            }
        }
    }

    /// `y[r, j] = relu(y[r, j] + b[j])`: the bias and the ReLU in one pass (NaN propagates).
    @inline(__always)
    static func addRowVectorReLU(_ y: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, rows: Int, columns: Int,
                                 stride: Int? = nil) {
        for r in 0..<rows {
            let row = y + r * (stride ?? columns)
            var j = 0
            while j + 8 <= columns {
                let v = load(row + j) + load(b + j)
                store(v.replacing(with: 0, where: v .< 0), row + j)
                j += 8
            }
            while j < columns {
                let v = row[j] + b[j]
                row[j] = v < 0 ? 0 : v
                j += 1
            }
        }
    }

    /// `y = relu(x)` (NaN propagates, as in PyTorch).
    @inline(__always)
    static func relu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = load(x + i)
            store(v.replacing(with: 0, where: v .< 0), y + i)
            i += 8
        }
        while i < count {
            y[i] = x[i] < 0 ? 0 : x[i]
            i += 1
        }
    }

    /// `dx = dy · [y > 0]` (ReLU backward from its output).
    @inline(__always)
    static func reluBackward(_ dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                             into dx: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(Lanes.zero.replacing(with: load(dy + i), where: load(y + i) .> 0), dx + i)
            i += 8
        }
        while i < count {
            dx[i] = y[i] > 0 ? dy[i] : 0
            i += 1
        }
    }

    /// `y = relu(a + b)`.
    @inline(__always)
    static func addReLU(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = load(a + i) + load(b + i)
            store(v.replacing(with: 0, where: v .< 0), y + i)
            i += 8
        }
        while i < count {
            let v = a[i] + b[i]
            y[i] = v < 0 ? 0 : v
            i += 1
        }
    }

    /// `s[j] ← β s[j] + Σ_r g[r, j]` (β = 0 overwrites, ignoring what `s` held).
    @inline(__always)
    static func columnSums(_ g: UnsafePointer<Float>, rows: Int, columns: Int, into s: UnsafeMutablePointer<Float>, beta: Float) {
        if beta == 0 { s.update(repeating: 0, count: columns) }
        for r in 0..<rows {
            let row = g + r * columns
            var j = 0
            while j + 8 <= columns {
                store(load(s + j) + load(row + j), s + j)
                j += 8
            }
            while j < columns {
                s[j] += row[j]
                j += 1
            }
        }
    }

    /// `y += a`.
    @inline(__always)
    static func accumulate(_ a: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(y + i) + load(a + i), y + i)
            i += 8
        }
        while i < count {
            y[i] += a[i]
            i += 1
        }
    }
}

extension Kernels {
    /// The instruction set of the plane passes (`Normalization.c`): the best this CPU runs. Every
    /// choice gives the same bits (tests call the C functions with the lower ones).
    static let planeKernel = accordion_conv_best_kernel()

    /// `out[q] = Σ_i x_q[i]` for the planes `x_q = x + q·size`, `q` in `planes`, each summed in a
    /// fixed order (eight Float lanes within blocks of 1024, blocks in Double) whatever planes it is
    /// computed beside, so that a split into ranges changes no bit.
    static func planeSums(_ x: UnsafePointer<Float>, planes: Range<Int>, size: Int, into out: UnsafeMutablePointer<Double>) {
        accordion_plane_sums(x, Int32(planes.lowerBound), Int32(planes.count), Int32(size), out, planeKernel)
    }

    /// `out[q] = Σ_i (x_q[i] − c_q)²` with `c_q = centres[q mod channels]`, planes as
    /// ``planeSums(_:planes:size:into:)``.
    static func planeSquares(_ x: UnsafePointer<Float>, planes: Range<Int>, size: Int, centres: UnsafePointer<Float>,
                             channels: Int, into out: UnsafeMutablePointer<Double>) {
        accordion_plane_squares(x, Int32(planes.lowerBound), Int32(planes.count), Int32(size), centres, Int32(channels),
                                out, planeKernel)
    }

    /// `sums[q] = Σ_i g_q[i]` and `moments[q] = Σ_i g_q[i]·(x_q[i] − c_q)` over planes of `g` and
    /// `x` laid out alike. With `mask`, `g` is first passed through the ReLU whose output `mask` is
    /// (`g·[mask > 0]`, as ``reluBackward(_:output:into:count:)``).
    static func planeMoments(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
                             planes: Range<Int>, size: Int, centres: UnsafePointer<Float>, channels: Int,
                             sums: UnsafeMutablePointer<Double>, moments: UnsafeMutablePointer<Double>) {
        accordion_plane_moments(g, x, mask, Int32(planes.lowerBound), Int32(planes.count), Int32(size), centres,
                                Int32(channels), sums, moments, planeKernel)
    }

    /// The per-plane results of `pass` over `planes` planes, the planes split across the workers
    /// (``Parallelism``) in ranges; `pass(range, out)` writes `out[q]` for each plane `q` of its range.
    static func perPlane(_ planes: Int, _ pass: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        var out = [Double](repeating: 0, count: planes)
        out.withUnsafeMutableBufferPointer { out in Parallelism.split(planes) { pass($0, out.baseAddress!) } }
        return out
    }

    /// Per channel, the plane results `perPlane[n·channels + ch]` added in example order.
    static func channelTotals(_ perPlane: [Double], channels: Int) -> [Double] {
        var totals = [Double](repeating: 0, count: channels)
        for (q, v) in perPlane.enumerated() { totals[q % channels] += v }
        return totals
    }
}
