import CBLAS
import Foundation
import Tensors

/// Squared Euclidean distances of a point set, produced block by block with Float32 GEMM.
///
/// ```
/// ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y,        tile(I, J) = −2 · X_I · X_Jᵀ
/// ```
/// The points are first centred (Float64 mean) and multiplied by a power of two that brings the
/// largest |coordinate| near 1; neither changes which points are nearest, and both keep the
/// Float32 products small and free of overflow. A tile value `t` plus the two squared norms then
/// approximates the scaled squared distance to within `τ·(‖x‖² + ‖y‖²)`, with
/// ```
/// τ = 2 · (D + 16) · 2⁻²⁴
/// ```
/// which covers γ_D of a Float32 dot product of length D (Higham, *Accuracy and Stability of
/// Numerical Algorithms*, 2002, §3.1), the rounding of the inputs, of the norms and of the two
/// additions, with a factor of two to spare. Callers use this bound to decide which pairs must be
/// recomputed exactly in Float64.
///
/// Only block pairs I ≤ J are computed (diagonal blocks by SYRK, upper triangle), so every
/// unordered pair of distinct points is visited exactly once.
///
/// - Complexity: O(N²·D / 2) time for a sweep; O(b²) extra memory per worker for b-row blocks —
///   never an N × N matrix.
struct DistanceTiles: @unchecked Sendable {
    /// Number of points.
    let count: Int
    /// Coordinates per point.
    let dimension: Int
    /// The centred, scaled points in Float32, N × D row-major.
    let scaled: [Float]
    /// `sᵢ = ‖x̃ᵢ‖²` of the scaled points.
    let squaredNorms: [Float]
    /// The relative error bound τ.
    let tau: Float
    /// The factor applied after centring: `x̃ = (x − mean) · scale`.
    let scale: Double
    /// Rows per block.
    let blockSize: Int
    /// The caller's row held at each position (the identity unless ``reordered(_:)``).
    let order: [Int]

    init(_ rows: PointRows, blockSize: Int) {
        precondition(blockSize > 0, "[DistanceTiles] block size \(blockSize) must be positive")
        let n = rows.count, d = rows.dimension
        count = n
        dimension = d
        self.blockSize = blockSize
        var out = [Float](repeating: 0, count: n * d)
        var norms = [Float](repeating: 0, count: n)
        switch rows.storage {
        case .float(let a):
            scale = a.withUnsafeBufferPointer { Self.prepare($0, n: n, d: d, into: &out, norms: &norms) }
        case .double(let a):
            scale = a.withUnsafeBufferPointer { Self.prepare($0, n: n, d: d, into: &out, norms: &norms) }
        }
        scaled = out
        squaredNorms = norms
        tau = 2 * (Float(d) + 16) * 0x1p-24
        order = Array(0..<n)
    }

    private init(copying other: DistanceTiles, order positions: [Int]) {
        count = other.count
        dimension = other.dimension
        tau = other.tau
        scale = other.scale
        blockSize = other.blockSize
        let d = dimension
        var out = [Float](repeating: 0, count: count * d)
        out.withUnsafeMutableBufferPointer { dst in
            other.scaled.withUnsafeBufferPointer { src in
                guard let to = dst.baseAddress, let from = src.baseAddress else { return }
                for (p, q) in positions.enumerated() { (to + p * d).update(from: from + q * d, count: d) }
            }
        }
        scaled = out
        squaredNorms = positions.map { other.squaredNorms[$0] }
        order = positions.map { other.order[$0] }
    }

    /// The same points with position p holding the current position `positions[p]`.
    func reordered(_ positions: [Int]) -> DistanceTiles {
        precondition(positions.count == count, "[DistanceTiles.reordered] \(positions.count) positions for \(count) points")
        return DistanceTiles(copying: self, order: positions)
    }

    /// Centres the rows (Float64 mean), scales them by a power of two so the largest |coordinate|
    /// is in [1, 2), writes them as Float32 and their squared norms; returns the scale.
    private static func prepare<E: BLASScalar>(_ x: UnsafeBufferPointer<E>, n: Int, d: Int,
                                               into out: inout [Float], norms: inout [Float]) -> Double {
        guard let src = x.baseAddress, n > 0, d > 0 else { return 1 }
        // Column-wise passes: every inner loop runs over independent columns and vectorises.
        let mean = UnsafeMutablePointer<Double>.allocate(capacity: d)
        let spread = UnsafeMutablePointer<Double>.allocate(capacity: d)
        defer { mean.deallocate(); spread.deallocate() }
        mean.initialize(repeating: 0, count: d)
        spread.initialize(repeating: 0, count: d)
        for r in 0..<n {
            let row = src + r * d
            for c in 0..<d { mean[c] += Double(row[c]) }
        }
        let inverse = 1 / Double(n)
        for c in 0..<d { mean[c] *= inverse }
        for r in 0..<n {
            let row = src + r * d
            for c in 0..<d { spread[c] = Swift.max(spread[c], abs(Double(row[c]) - mean[c])) }
        }
        var largest = 0.0
        for c in 0..<d { largest = Swift.max(largest, spread[c]) }
        // A power of two, so the scaling itself is exact.
        let scale = largest > 0 ? Double(sign: .plus, exponent: -largest.exponent, significand: 1) : 1
        out.withUnsafeMutableBufferPointer { o in
            guard let base = o.baseAddress else { return }
            for r in 0..<n {
                let row = src + r * d, dst = base + r * d
                for c in 0..<d { dst[c] = Float((Double(row[c]) - mean[c]) * scale) }
                var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
                var c = 0
                while c + 4 <= d {
                    let a = Double(dst[c]), b = Double(dst[c + 1]), e = Double(dst[c + 2]), f = Double(dst[c + 3])
                    s0 += a * a; s1 += b * b; s2 += e * e; s3 += f * f
                    c += 4
                }
                while c < d { s0 += Double(dst[c]) * Double(dst[c]); c += 1 }
                norms[r] = Float((s0 + s1) + (s2 + s3))
            }
        }
        return scale
    }

    /// The row ranges of the blocks.
    var blocks: [Range<Int>] {
        stride(from: 0, to: count, by: blockSize).map { $0..<Swift.min($0 + blockSize, count) }
    }

    /// The block pairs (I, J) with I ≤ J, in sweep order.
    var blockPairs: [(Int, Int)] {
        let b = blocks.count
        return (0..<b).flatMap { a in (a..<b).map { (a, $0) } }
    }

    /// How many workers a sweep with `threads` requested will use.
    func workers(threads: Int) -> Int {
        Swift.max(1, Swift.min(threads, blockPairs.count))
    }

    /// Calls `body(worker, I, J, tile)` once for every block pair I ≤ J.
    ///
    /// `tile` is `I.count × J.count`, row-major, holding `−2 x̃ᵢ·x̃ⱼ`; when I == J only the entries
    /// above the diagonal are defined. Pairs are handed out dynamically to
    /// ``workers(threads:)`` workers; `body` for one worker never runs concurrently with itself.
    func sweep(threads: Int, _ body: (Int, Range<Int>, Range<Int>, UnsafePointer<Float>) -> Void) {
        let blocks = self.blocks, pairs = blockPairs
        let workers = workers(threads: threads)
        let queue = WorkQueue(total: pairs.count)
        let d = dimension, b = blockSize
        scaled.withUnsafeBufferPointer { px in
            guard let base = px.baseAddress else { return }
            let work = { (worker: Int) in
                let tile = UnsafeMutablePointer<Float>.allocate(capacity: b * b)
                defer { tile.deallocate() }
                while let p = queue.next() {
                    let rows = blocks[pairs[p].0], columns = blocks[pairs[p].1]
                    Self.tile(base, dimension: d, rows: rows, columns: columns, into: tile)
                    body(worker, rows, columns, UnsafePointer(tile))
                }
            }
            concurrently(workers, work)
        }
    }

    /// Writes `−2 · X_rows · X_columnsᵀ` of the row-major points at `base` (`dimension` columns)
    /// into `tile` (row stride `columns.count`); for rows == columns only the upper triangle (SYRK).
    ///
    /// - Complexity: O(|rows|·|columns|·dimension).
    static func tile(_ base: UnsafePointer<Float>, dimension d: Int, rows: Range<Int>, columns: Range<Int>,
                     into tile: UnsafeMutablePointer<Float>) {
        if rows == columns {
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(rows.count), Int32(d),
                        -2, base + rows.lowerBound * d, Int32(d), 0, tile, Int32(rows.count))
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                        Int32(rows.count), Int32(columns.count), Int32(d),
                        -2, base + rows.lowerBound * d, Int32(d),
                        base + columns.lowerBound * d, Int32(d), 0, tile, Int32(columns.count))
        }
    }
}

/// Hands out the indices `0..<total` one at a time to concurrent workers.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var position = 0
    private let total: Int

    init(total: Int) { self.total = total }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard position < total else { return nil }
        position += 1
        return position - 1
    }
}

/// Runs `body(range)` over `0..<count` split into contiguous chunks, on up to `threads` workers.
func parallelChunks(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    Parallelism.split(count, workers: threads, body)
}

/// Runs `body(0)`, …, `body(workers − 1)` concurrently and returns when all have finished.
///
/// `body` must only touch state that its workers do not share, or share read-only; it does not
/// escape this call.
func concurrently(_ workers: Int, _ body: (Int) -> Void) {
    Parallelism.run((0..<Swift.max(1, workers)).map { $0..<($0 + 1) }) { worker, _ in body(worker) }
}
