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

    /// `y = x` for short runs, where a `memmove` call costs more than the copy.
    @inline(__always)
    static func copy(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store(load(x + i), y + i)
            i += 8
        }
        while i < count {
            y[i] = x[i]
            i += 1
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
    /// Scalars summed in blocks: eight Float lanes within a block of 1024, blocks added in Double.
    /// Independent lanes keep the adder pipeline full; the order is fixed, so results are
    /// reproducible.
    static func sum(_ p: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < count {
            let end = min(count, i + 1024)
            var lanes = SIMD8<Float>()
            while i + 8 <= end {
                lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                i += 8
            }
            var block = Double(lanes.sum())
            while i < end {
                block += Double(p[i])
                i += 1
            }
            total += block
        }
        return total
    }

    /// `Σ (p[i] − c)²`, blocked as ``sum(_:count:)``.
    static func sumOfSquares(_ p: UnsafePointer<Float>, count: Int, centre c: Float) -> Double {
        var total = 0.0
        var i = 0
        let centre = SIMD8<Float>(repeating: c)
        while i < count {
            let end = min(count, i + 1024)
            var lanes = SIMD8<Float>()
            while i + 8 <= end {
                let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - centre
                lanes += d * d
                i += 8
            }
            var block = Double(lanes.sum())
            while i < end {
                let d = Double(p[i] - c)
                block += d * d
                i += 1
            }
            total += block
        }
        return total
    }

    /// `(Σ g[i], Σ g[i]·(x[i] − c))`, blocked as ``sum(_:count:)``.
    static func sumAndMoment(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int,
                             centre c: Float) -> (Double, Double) {
        var total = 0.0, moment = 0.0
        var i = 0
        let centre = SIMD8<Float>(repeating: c)
        while i < count {
            let end = min(count, i + 1024)
            var lanes = SIMD8<Float>(), products = SIMD8<Float>()
            while i + 8 <= end {
                let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                lanes += gv
                products += gv * (xv - centre)
                i += 8
            }
            var block = Double(lanes.sum()), blockMoment = Double(products.sum())
            while i < end {
                block += Double(g[i])
                blockMoment += Double(g[i]) * Double(x[i] - c)
                i += 1
            }
            total += block
            moment += blockMoment
        }
        return (total, moment)
    }
}
