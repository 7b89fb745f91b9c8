extension NeighborCandidates {
    /// How many pairs of an off-diagonal tile of projected products `t̂ = −2 p̂ᵢ·p̂ⱼ` pass the
    /// low-rank test for either point (see ``Projection``).
    func countProjected(rows block: Range<Int>, columns: Range<Int>, tile: UnsafePointer<Float>) -> Int {
        guard let p = projection, let theta = projectedThreshold else { return block.count * columns.count }
        let ld = columns.count, j0 = columns.lowerBound
        return p.omega.withUnsafeBufferPointer { om in
            guard let omega = om.baseAddress else { return 0 }
            var total = 0
            for r in 0..<block.count {
                let i = block.lowerBound + r
                let row = tile + r * ld, omJ = omega + j0, thJ = theta + j0
                let oi = omega[i], thI = theta[i]
                var hits: Int32 = 0
                for c in 0..<ld {
                    let t = row[c]
                    hits &+= (t + omJ[c] <= thI ? 1 : 0) | (t + oi <= thJ[c] ? 1 : 0)
                }
                total += Int(hits)
            }
            return total
        }
    }

    /// Takes in the pairs of an off-diagonal tile that pass the low-rank test, each with its full
    /// Float32 product `t = −2 x̃ᵢ·x̃ⱼ` from the scaled points at `points` (D = `dimension`).
    func absorbProjected(rows block: Range<Int>, columns: Range<Int>, tile: UnsafePointer<Float>,
                         points: UnsafePointer<Float>, dimension d: Int) {
        precondition(block != columns, "[knn] the low-rank filter takes off-diagonal tiles only")
        guard let p = projection, let theta = projectedThreshold else { return }
        let ld = columns.count, j0 = columns.lowerBound
        p.omega.withUnsafeBufferPointer { om in
            guard let omega = om.baseAddress else { return }
            let omJ = omega + j0, thJ = theta + j0
            for r in 0..<block.count {
                let i = block.lowerBound + r
                let row = tile + r * ld
                let oi = omega[i]
                var thI = theta[i]
                var c = 0
                while c < ld {
                    let lanes = Swift.min(16, ld - c)
                    let tp = row + c, op = omJ + c, hp = thJ + c
                    var hit: UInt32 = 0
                    if lanes == 16 {
                        for l in 0..<16 { hit |= (tp[l] + op[l] <= thI ? 1 : 0) | (tp[l] + oi <= hp[l] ? 1 : 0) }
                    } else {
                        hit = 1
                    }
                    if hit != 0 {
                        for l in 0..<lanes where tp[l] + op[l] <= theta[i] || tp[l] + oi <= hp[l] {
                            let j = j0 + c + l
                            visit(i, j, -2 * Self.dot(points + i * d, points + j * d, d))
                        }
                        thI = theta[i]
                    }
                    c += lanes
                }
            }
        }
    }

    /// `x·y` in Float32 with sixteen partial sums (its error obeys the same γ_D bound as GEMM's).
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: Int) -> Float {
        var a0 = SIMD4<Float>(), a1 = SIMD4<Float>(), a2 = SIMD4<Float>(), a3 = SIMD4<Float>()
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var c = 0
        while c + 16 <= d {
            a0 += rx.loadUnaligned(fromByteOffset: 4 * c, as: SIMD4<Float>.self)
                * ry.loadUnaligned(fromByteOffset: 4 * c, as: SIMD4<Float>.self)
            a1 += rx.loadUnaligned(fromByteOffset: 4 * c + 16, as: SIMD4<Float>.self)
                * ry.loadUnaligned(fromByteOffset: 4 * c + 16, as: SIMD4<Float>.self)
            a2 += rx.loadUnaligned(fromByteOffset: 4 * c + 32, as: SIMD4<Float>.self)
                * ry.loadUnaligned(fromByteOffset: 4 * c + 32, as: SIMD4<Float>.self)
            a3 += rx.loadUnaligned(fromByteOffset: 4 * c + 48, as: SIMD4<Float>.self)
                * ry.loadUnaligned(fromByteOffset: 4 * c + 48, as: SIMD4<Float>.self)
            c += 16
        }
        let a = (a0 + a1) + (a2 + a3)
        var s = (a[0] + a[1]) + (a[2] + a[3])
        while c < d {
            s += x[c] * y[c]
            c += 1
        }
        return s
    }
}
