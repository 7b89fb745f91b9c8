import CBLAS
import Tensors

/// A low-rank view of the points that bounds their distances from below, so that most pairs can
/// be ruled out of a neighbour search without a full-dimensional product.
///
/// ```
/// ‖x − y‖² ≥ ‖Vᵀ(x − y)‖² / λ_max(VᵀV)                         (V: D × m)
/// (i, j) may hold a neighbour of i  ⇒  t̂ + ωⱼ ≤ Θᵢ,   ωⱼ = qⱼ − κ sⱼ,   Θᵢ = c·Uᵢ + κ sᵢ − qᵢ
/// ```
/// V spans the leading principal directions: a randomised range finder with one power iteration
/// on a sample of rows (Halko, Martinsson & Tropp, SIAM Review 53, 2011), rotated to the sample's
/// principal axes. t̂ = −2 p̂ᵢ·p̂ⱼ is a Float32 GEMM tile of the projected points p̂ = fl(x̃V) and
/// qᵢ = ‖p̂ᵢ‖². The constants absorb every rounding — of p̂ (η = √m·γ_D·√(1 + e)), of the
/// projected tile (τ_m, as in ``DistanceTiles``), of the filter's own additions — and the
/// non-orthogonality e ≥ ‖VᵀV − I‖ of the Float32 basis (measured, by Gershgorin):
/// ```
/// κ = 1.01·(2(η + η²) + 1.01·τ_m + 8u),   c = (1 + e)(1 + η)(1 + 4u),   u = 2⁻²⁴
/// ```
/// so a pair that fails the test is provably farther than Uᵢ. Passing pairs are not trusted: they
/// get a full Float32 dot product and the usual candidate bounds.
///
/// - Complexity: O((N + s)·D·m) for s sampled rows, plus O(D·m² + m³).
struct Projection: @unchecked Sendable {
    /// Columns of V.
    let rank: Int
    /// N × m projected points p̂, in the order returned by ``make(_:rank:sample:)``.
    let coordinates: [Float]
    /// `ωᵢ = qᵢ − κ sᵢ`.
    let omega: [Float]
    /// `κ sᵢ − qᵢ`.
    let offset: [Float]
    /// `c`.
    let c: Float

    /// `Θᵢ` for the bound `Uᵢ = u`.
    @inline(__always)
    func threshold(_ u: Float, _ i: Int) -> Float { u == .infinity ? .infinity : u * c + offset[i] }

    /// The projection of `tiles`' points, and the positions sorted by their first principal
    /// coordinate — nearby points then share blocks, so early tiles give tight bounds.
    static func make(_ tiles: DistanceTiles, rank: Int, sample: Int = 1024) -> (order: [Int], projection: Projection) {
        let n = tiles.count, d = tiles.dimension
        let s = Swift.min(sample, n)
        let m = Swift.min(rank, d, s)
        precondition(m >= 1, "[Projection] rank \(rank) with D = \(d), sample \(s)")
        // Evenly spaced rows: deterministic, and they cover data stored sorted by class.
        let picks = (0..<s).map { $0 * n / s }
        var sampled = [Float](repeating: 0, count: s * d)
        for (r, i) in picks.enumerated() { for c in 0..<d { sampled[r * d + c] = tiles.scaled[i * d + c] } }
        var rng = RandomStream(seed: 0x5EED, path: "knn/range-finder")
        var q = (0..<(d * m)).map { _ in rng.normal() }
        for _ in 0..<2 {
            // Z = Sᵀ(S Q): one step of subspace iteration, then orthonormalise.
            let y = multiply(sampled, rows: s, inner: d, by: q.map(Float.init), columns: m)
            q = orthonormal(multiplyTransposed(sampled, rows: s, columns: d, by: y, width: m), rows: d, columns: m)
        }
        // Rotate to the sample's principal axes so the first coordinate orders points well.
        let y = multiply(sampled, rows: s, inner: d, by: q.map(Float.init), columns: m).map(Double.init)
        var cov = [Double](repeating: 0, count: m * m)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(m), Int32(s), 1, y, Int32(m), 0, &cov, Int32(m))
        var eigenvalues = [Double](repeating: 0, count: m)
        let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                                  Int32(m), &cov, Int32(m), &eigenvalues)
        var v = [Double](repeating: 0, count: d * m)
        if info == 0 {
            // Eigenvectors are the columns of cov, ascending: take them descending.
            var e = [Double](repeating: 0, count: m * m)
            for r in 0..<m { for c in 0..<m { e[r * m + c] = cov[r * m + (m - 1 - c)] } }
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(m), Int32(m),
                        1, q, Int32(m), e, Int32(m), 0, &v, Int32(m))
        } else {
            v = q
        }
        let basis = v.map(Float.init)
        let e = nonOrthogonality(basis, rows: d, columns: m)
        var p = multiply(tiles.scaled, rows: n, inner: d, by: basis, columns: m)
        let order = (0..<n).sorted { p[$0 * m] < p[$1 * m] || (p[$0 * m] == p[$1 * m] && $0 < $1) }
        var reordered = [Float](repeating: 0, count: n * m)
        for (to, from) in order.enumerated() { for c in 0..<m { reordered[to * m + c] = p[from * m + c] } }
        p = reordered
        let u = 0x1p-24
        let gammaD = Double(d) * u / (1 - Double(d) * u)
        let eta = Double(m).squareRoot() * gammaD * (1 + e).squareRoot()
        let tauM = 2 * (Double(m) + 16) * u
        let kappa = 1.01 * (2 * (eta + eta * eta) + 1.01 * tauM + 8 * u)
        var omega = [Float](repeating: 0, count: n), offset = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var qi = 0.0
            for c in 0..<m { qi += Double(p[i * m + c]) * Double(p[i * m + c]) }
            let si = Double(tiles.squaredNorms[order[i]])
            omega[i] = Float(qi - kappa * si)
            offset[i] = Float(kappa * si - qi)
        }
        let c = Float((1 + e) * (1 + eta) * (1 + 4 * u))
        return (order, Projection(rank: m, coordinates: p, omega: omega, offset: offset, c: c))
    }

    /// `A·B` for row-major Float32 A (rows × inner) and B (inner × columns).
    static func multiply(_ a: [Float], rows: Int, inner: Int, by b: [Float], columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(inner),
                    1, a, Int32(inner), b, Int32(columns), 0, &out, Int32(columns))
        return out
    }

    /// `Aᵀ·B` for row-major Float32 A (rows × columns) and B (rows × width), in Float64.
    static func multiplyTransposed(_ a: [Float], rows: Int, columns: Int, by b: [Float], width: Int) -> [Double] {
        var out = [Float](repeating: 0, count: columns * width)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(columns), Int32(width), Int32(rows),
                    1, a, Int32(columns), b, Int32(width), 0, &out, Int32(width))
        return out.map(Double.init)
    }

    /// An orthonormal basis (rows × columns, row-major) of the column span of `a`, by Householder
    /// QR (LAPACK dgeqrf + dorgqr). Falls back to the identity's first columns if LAPACK fails.
    static func orthonormal(_ a: [Double], rows: Int, columns: Int) -> [Double] {
        var q = a
        var tau = [Double](repeating: 0, count: columns)
        let r1 = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(rows), Int32(columns), &q, Int32(columns), &tau)
        let r2 = r1 == 0 ? LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(rows), Int32(columns), Int32(columns),
                                          &q, Int32(columns), tau) : r1
        if r2 == 0 { return q }
        var identity = [Double](repeating: 0, count: rows * columns)
        for c in 0..<columns { identity[c * columns + c] = 1 }
        return identity
    }

    /// A bound on ‖VᵀV − I‖₂ (largest absolute row sum), computed in Float64.
    static func nonOrthogonality(_ v: [Float], rows: Int, columns m: Int) -> Double {
        let x = v.map(Double.init)
        var g = [Double](repeating: 0, count: m * m)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(m), Int32(rows),
                    1, x, Int32(m), x, Int32(m), 0, &g, Int32(m))
        var worst = 0.0
        for a in 0..<m {
            var sum = 0.0
            for b in 0..<m { sum += abs(g[a * m + b] - (a == b ? 1 : 0)) }
            worst = Swift.max(worst, sum)
        }
        // The Float64 product itself may be off by D·2⁻⁵³ per entry.
        return worst + Double(m * rows) * 0x1p-52
    }
}
