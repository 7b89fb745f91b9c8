/// One worker's running k-nearest-neighbour candidates for every point, fed by distance tiles.
///
/// For each point i it keeps a max-heap of the k smallest *upper* bounds seen so far and a buffer
/// of candidates whose *lower* bound is at most `Uᵢ`, the heap's top (or a tighter bound shared by
/// another worker). With the tile bound of ``DistanceTiles``,
/// ```
/// lowerᵢⱼ = t + (1 − τ)(sᵢ + sⱼ),   upperᵢⱼ = lowerᵢⱼ + 2τ(sᵢ + sⱼ)
/// ```
/// a pair whose lower bound exceeds `Uᵢ` is farther than k points already seen and cannot be a
/// true neighbour, so the buffer always contains the exact k nearest. The hot loop tests
/// `t + wⱼ ≤ θᵢ` with `wⱼ = (1 − τ)sⱼ` and `θᵢ = Uᵢ − wᵢ`: one add and one compare per entry.
/// Indices are positions in the tiles' order; ``DistanceTiles/order`` maps them to the caller's rows.
final class NeighborCandidates: @unchecked Sendable {
    let count: Int
    let k: Int
    let capacity: Int
    let rows: PointRows
    let tiles: DistanceTiles
    /// `wᵢ = (1 − τ)sᵢ`.
    let w: UnsafeMutablePointer<Float>
    /// `θᵢ = Uᵢ − wᵢ` (infinite until k candidates are known).
    let threshold: UnsafeMutablePointer<Float>
    /// count × k max-heaps of upper bounds.
    let heap: UnsafeMutablePointer<Float>
    /// Bounds on the k-th neighbour learnt elsewhere (another worker's candidates), else +∞.
    let shared: UnsafeMutablePointer<Float>
    /// count × capacity candidate positions and lower bounds.
    let index: UnsafeMutablePointer<Int32>
    let lower: UnsafeMutablePointer<Float>
    let filled: UnsafeMutablePointer<Int32>
    /// The low-rank filter's thresholds, when the sweep uses one (see ``Projection``).
    private(set) var projection: Projection?
    var projectedThreshold: UnsafeMutablePointer<Float>?
    private let twoTau: Float
    private let norms: UnsafeMutablePointer<Float>

    init(tiles: DistanceTiles, rows: PointRows, k: Int) {
        precondition(k >= 1, "[knn] k = \(k) must be at least 1")
        let n = tiles.count
        count = n
        self.k = k
        self.rows = rows
        self.tiles = tiles
        capacity = 2 * k + 16
        twoTau = 2 * tiles.tau
        w = .allocate(capacity: n)
        norms = .allocate(capacity: n)
        threshold = .allocate(capacity: n)
        heap = .allocate(capacity: n * k)
        shared = .allocate(capacity: n)
        index = .allocate(capacity: n * capacity)
        lower = .allocate(capacity: n * capacity)
        filled = .allocate(capacity: n)
        for i in 0..<n {
            norms[i] = tiles.squaredNorms[i]
            w[i] = (1 - tiles.tau) * tiles.squaredNorms[i]
        }
        threshold.initialize(repeating: .infinity, count: n)
        heap.initialize(repeating: .infinity, count: n * k)
        shared.initialize(repeating: .infinity, count: n)
        filled.initialize(repeating: 0, count: n)
    }

    deinit {
        w.deallocate(); norms.deallocate(); threshold.deallocate(); heap.deallocate(); shared.deallocate()
        index.deallocate(); lower.deallocate(); filled.deallocate()
        projectedThreshold?.deallocate()
    }

    /// Turns on the low-rank filter's thresholds `Θᵢ`, kept in step with `Uᵢ`.
    func attach(_ p: Projection) {
        projection = p
        let theta = UnsafeMutablePointer<Float>.allocate(capacity: count)
        theta.initialize(repeating: .infinity, count: count)
        projectedThreshold = theta
        for i in 0..<count { refresh(i) }
    }

    /// `Uᵢ`: the smaller of the own k-th upper bound and the shared one.
    @inline(__always)
    func bound(_ i: Int) -> Float { Swift.min(heap[i * k], shared[i]) }

    /// Recomputes the thresholds of i after `Uᵢ` changed.
    func refresh(_ i: Int) {
        let u = bound(i)
        threshold[i] = u - w[i]
        if let p = projection, let theta = projectedThreshold { theta[i] = p.threshold(u, i) }
    }

    /// Takes in every pair of one tile (see ``DistanceTiles/sweep(threads:_:)``).
    func absorb(rows block: Range<Int>, columns: Range<Int>, tile: UnsafePointer<Float>) {
        let ld = columns.count, j0 = columns.lowerBound
        let diagonal = block == columns
        let wJ = w + j0, thetaJ = threshold + j0
        for r in 0..<block.count {
            let i = block.lowerBound + r
            let row = tile + r * ld
            var c = diagonal ? r + 1 : 0
            let wi = w[i]
            var thetaI = threshold[i]
            while c + 16 <= ld {
                // A lane is a candidate for i (t + wⱼ ≤ θᵢ) or for j (t + wᵢ ≤ θⱼ). The
                // branch-free OR over a fixed 16 lanes compiles to packed compares.
                let tp = row + c, wp = wJ + c, thp = thetaJ + c
                var hit: UInt32 = 0
                for l in 0..<16 {
                    let t = tp[l]
                    hit |= (t + wp[l] <= thetaI ? 1 : 0) | (t + wi <= thp[l] ? 1 : 0)
                }
                if hit != 0 {
                    for l in 0..<16 { visit(i, j0 + c + l, row[c + l]) }
                    thetaI = threshold[i]
                }
                c += 16
            }
            while c < ld {
                visit(i, j0 + c, row[c])
                c += 1
            }
        }
    }

    /// Offers the pair (i, j) with tile value t to both points.
    @inline(__always)
    func visit(_ i: Int, _ j: Int, _ t: Float) {
        if t + w[j] <= threshold[i] { insert(i, j, t) }
        if t + w[i] <= threshold[j] { insert(j, i, t) }
    }

    /// Offers j as a neighbour of i, with tile value t.
    private func insert(_ i: Int, _ j: Int, _ t: Float) {
        let lo = t + w[i] + w[j]
        let h = heap + i * k
        guard lo <= bound(i) else { return }
        let up = lo + twoTau * (norms[i] + norms[j])
        if up < h[0] {
            let before = bound(i)
            replaceTop(h, up)
            if bound(i) < before { refresh(i) }
        }
        if Int(filled[i]) == capacity {
            prune(i)
            if Int(filled[i]) == capacity { compactExactly(i) }
        }
        let f = Int(filled[i])
        index[i * capacity + f] = Int32(truncatingIfNeeded: j)
        lower[i * capacity + f] = lo
        filled[i] = Int32(f + 1)
    }

    /// Replaces the largest element of the max-heap `h` (size k) and restores the heap order.
    @inline(__always)
    private func replaceTop(_ h: UnsafeMutablePointer<Float>, _ value: Float) {
        var p = 0
        while true {
            let a = 2 * p + 1
            if a >= k { break }
            let b = a + 1
            let c = b < k && h[b] > h[a] ? b : a
            if h[c] <= value { break }
            h[p] = h[c]
            p = c
        }
        h[p] = value
    }

    /// Drops the candidates of i whose lower bound exceeds `Uᵢ`.
    private func prune(_ i: Int) {
        let top = bound(i)
        var kept = 0
        let base = i * capacity
        for c in 0..<Int(filled[i]) where lower[base + c] <= top {
            index[base + kept] = index[base + c]
            lower[base + kept] = lower[base + c]
            kept += 1
        }
        filled[i] = Int32(kept)
    }

    /// The exact Float64 squared distance between the points at positions i and j.
    @inline(__always)
    func exactSquaredDistance(_ i: Int, _ j: Int) -> Double {
        rows.squaredDistance(tiles.order[i], tiles.order[j])
    }

    /// When more than `capacity` candidates are within the bound (many equal distances, such as
    /// duplicated points), keeps the k nearest by exact Float64 distance (ties: smaller row).
    private func compactExactly(_ i: Int) {
        let base = i * capacity
        let order = tiles.order
        var exact: [(Double, Int32)] = (0..<Int(filled[i])).map {
            (exactSquaredDistance(i, Int(index[base + $0])), index[base + $0])
        }
        exact.sort { $0.0 < $1.0 || ($0.0 == $1.0 && order[Int($0.1)] < order[Int($1.1)]) }
        let s2 = tiles.scale * tiles.scale
        let h = heap + i * k
        for c in 0..<k {
            let v = exact[c].0 * s2
            index[base + c] = exact[c].1
            // Widen by a few ulps so the rounding to Float32 never excludes the true value.
            lower[base + c] = Float(v * (1 - 1e-6))
            h[c] = Float(v * (1 + 1e-6))
        }
        // A descending array is a valid max-heap.
        var values = (0..<k).map { h[$0] }
        values.sort(by: >)
        for c in 0..<k { h[c] = values[c] }
        filled[i] = Int32(k)
        refresh(i)
    }
}
