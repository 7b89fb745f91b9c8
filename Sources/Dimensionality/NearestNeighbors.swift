import Foundation
import Tensors

/// Exact k-nearest neighbours (Euclidean, self excluded) by blocked GEMM distance tiles.
///
/// ```
/// ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y      (Float32 tiles, used only to rule pairs out)
/// ‖x − y‖² = Σ_c (x_c − y_c)²         (Float64, for every pair that could be a neighbour)
/// ```
/// Float32 GEMM tiles of b × b pairs (``DistanceTiles``) feed per-point candidate buffers
/// (``NeighborCandidates``) that keep every pair the tiles' error bound cannot rule out. The kept
/// candidates are then measured exactly in Float64 from the caller's points, so the returned
/// distances carry Float64 accuracy, are never negative, and are exactly 0 for duplicated points.
/// Among equal distances the smaller index comes first.
///
/// For wide inputs (D ≥ 256, at least four blocks) a low-rank filter (``Projection``) first
/// orders the points along their leading principal axis and bounds every pair's distance from
/// below with a rank-64 projection; a pair is given a full-dimensional product only if that bound
/// does not already exceed its points' current k-th neighbour bounds, and a tile is computed in
/// full only when more than 15% of its pairs pass. Every bound carries its rounding error, so
/// the result is the same exact neighbour list; on data whose variance concentrates in a few
/// directions (images, network activations) the sweep does a fraction of the GEMM work.
///
/// `threads` workers share the block pairs (default 1); each keeps its own candidates, merged at
/// the end, so the result is bit-identical for any thread count. OpenBLAS should be set to one
/// thread (``BLAS/useOneThread()``): parallelism comes from the workers.
///
/// - Complexity: O(N²·D / 2) time in the worst case (half the pairs, by symmetry), about
///   O(N²·m / 2 + N·b·D) with the filter when it prunes well; O(N·k + b²·threads) memory besides
///   one Float32 copy of the points — never an N × N matrix.
public enum NearestNeighbors {
    /// The default number of rows per distance tile.
    public static let defaultBlockSize = 512

    /// The k nearest neighbours of every point of `points` (N × D), self excluded.
    ///
    /// Throws ``EstimatorError`` when N ≤ k or an element is NaN or infinite.
    public static func search<E: BLASScalar>(_ points: Tensor<E>, k: Int, threads: Int = 1,
                                             blockSize: Int = defaultBlockSize) throws -> NeighborGraph {
        let rows = PointRows(points)
        try validate(rows, k: k, estimator: "knn")
        return search(rows, k: k, threads: threads, blockSize: blockSize)
    }

    /// Checks the inputs every neighbour-based estimator needs.
    static func validate(_ rows: PointRows, k: Int, estimator: String) throws {
        guard k >= 1 else { throw EstimatorError.invalidSetting(estimator: estimator, message: "k = \(k) must be at least 1") }
        guard rows.count >= k + 1 else {
            throw EstimatorError.tooFewPoints(estimator: estimator, needed: k + 1, got: rows.count)
        }
        guard rows.dimension >= 1 else {
            throw EstimatorError.invalidSetting(estimator: estimator, message: "points have no coordinates (shape \(rows.count) × 0)")
        }
        if let (r, c) = rows.firstNonFinite() { throw EstimatorError.nonFinite(estimator: estimator, row: r, column: c) }
    }

    /// How a search is carried out; the defaults suit any input, tests shrink them.
    struct Plan {
        /// Rows per distance tile.
        var blockSize = NearestNeighbors.defaultBlockSize
        /// Columns of the low-rank filter (0 turns it off).
        var rank = 64
        /// The filter runs only when D is at least this (below it a full tile is cheap enough)…
        var minimumDimension = 256
        /// …and the points fill at least this many blocks.
        var minimumBlocks = 4
        /// A tile with more than this fraction of pairs passing the filter is computed in full.
        var denseFraction = 0.15

        init(blockSize: Int = NearestNeighbors.defaultBlockSize) { self.blockSize = blockSize }
    }

    /// The search on validated points (N > k ≥ 1, all finite).
    static func search(_ rows: PointRows, k: Int, threads: Int, blockSize: Int = defaultBlockSize) -> NeighborGraph {
        search(rows, k: k, threads: threads, plan: Plan(blockSize: blockSize))
    }

    static func search(_ rows: PointRows, k: Int, threads: Int, plan: Plan) -> NeighborGraph {
        precondition(rows.count > k && k >= 1, "[knn] needs N > k ≥ 1, got N = \(rows.count), k = \(k)")
        var tiles = DistanceTiles(rows, blockSize: Swift.min(plan.blockSize, Swift.max(rows.count, 1)))
        let workers = tiles.workers(threads: threads)
        if plan.rank > 0, tiles.dimension >= plan.minimumDimension, tiles.blocks.count >= plan.minimumBlocks {
            let (order, projection) = Projection.make(tiles, rank: plan.rank)
            tiles = tiles.reordered(order)
            let sets = (0..<workers).map { _ in NeighborCandidates(tiles: tiles, rows: rows, k: k) }
            for s in sets { s.attach(projection) }
            filteredSweep(tiles, projection: projection, sets: sets, plan: plan)
            return finish(sets, tiles: tiles, rows: rows, k: k, threads: threads)
        }
        let sets = (0..<workers).map { _ in NeighborCandidates(tiles: tiles, rows: rows, k: k) }
        tiles.sweep(threads: workers) { w, block, columns, tile in
            sets[w].absorb(rows: block, columns: columns, tile: tile)
        }
        return finish(sets, tiles: tiles, rows: rows, k: k, threads: threads)
    }

    /// The sweep with the low-rank filter: diagonal tiles in full first (they give every point
    /// nearby candidates, the points being ordered along their first principal axis), then the
    /// workers share their bounds, then the off-diagonal tiles nearest the diagonal first, each
    /// computed in full only when too many of its pairs pass the filter. When most of the first
    /// eighth (at least 8) of the off-diagonal tiles come out dense, the data have no low-rank
    /// structure to exploit and the filter is switched off for the rest.
    private static func filteredSweep(_ tiles: DistanceTiles, projection: Projection, sets: [NeighborCandidates], plan: Plan) {
        let blocks = tiles.blocks, b = tiles.blockSize, d = tiles.dimension, m = projection.rank
        let workers = sets.count
        let offDiagonal = tiles.blockPairs.filter { $0.0 != $0.1 }.sorted { ($0.1 - $0.0, $0.0) < ($1.1 - $1.0, $1.0) }
        tiles.scaled.withUnsafeBufferPointer { px in
            projection.coordinates.withUnsafeBufferPointer { pp in
                guard let points = px.baseAddress, let projected = pp.baseAddress else { return }
                func run(_ pairs: [(Int, Int)], _ body: @escaping (Int, Range<Int>, Range<Int>, UnsafeMutablePointer<Float>) -> Void) {
                    let queue = WorkQueue(total: pairs.count)
                    concurrently(workers) { w in
                        let tile = UnsafeMutablePointer<Float>.allocate(capacity: b * b)
                        defer { tile.deallocate() }
                        while let p = queue.next() { body(w, blocks[pairs[p].0], blocks[pairs[p].1], tile) }
                    }
                }
                run(blocks.indices.map { ($0, $0) }) { w, rows, columns, tile in
                    DistanceTiles.tile(points, dimension: d, rows: rows, columns: columns, into: tile)
                    sets[w].absorb(rows: rows, columns: columns, tile: tile)
                }
                if workers > 1 { shareBounds(sets) }
                let health = FilterHealth(trial: Swift.max(8, offDiagonal.count / 8))
                run(offDiagonal) { w, rows, columns, tile in
                    var dense = !health.enabled
                    if !dense {
                        DistanceTiles.tile(projected, dimension: m, rows: rows, columns: columns, into: tile)
                        let passing = sets[w].countProjected(rows: rows, columns: columns, tile: tile)
                        dense = Double(passing) > plan.denseFraction * Double(rows.count * columns.count)
                        health.record(dense: dense)
                    }
                    if dense {
                        DistanceTiles.tile(points, dimension: d, rows: rows, columns: columns, into: tile)
                        sets[w].absorb(rows: rows, columns: columns, tile: tile)
                    } else {
                        sets[w].absorbProjected(rows: rows, columns: columns, tile: tile, points: points, dimension: d)
                    }
                }
            }
        }
    }

    /// Whether the low-rank filter is paying off, judged on the first `trial` tiles it tried.
    private final class FilterHealth: @unchecked Sendable {
        private let lock = NSLock()
        private let trial: Int
        private var tried = 0, dense = 0, off = false

        init(trial: Int) { self.trial = trial }

        var enabled: Bool {
            lock.lock()
            defer { lock.unlock() }
            return !off
        }

        func record(dense isDense: Bool) {
            lock.lock()
            defer { lock.unlock() }
            tried += 1
            if isDense { dense += 1 }
            if tried == trial && 4 * dense >= 3 * tried { off = true }
        }
    }

    /// Gives every worker the k-th smallest upper bound over all workers' candidates.
    private static func shareBounds(_ sets: [NeighborCandidates]) {
        guard let first = sets.first else { return }
        let k = first.k
        var uppers = [Float]()
        for i in 0..<first.count {
            uppers.removeAll(keepingCapacity: true)
            for s in sets { for c in 0..<k { uppers.append(s.heap[i * k + c]) } }
            uppers.sort()
            for s in sets where uppers[k - 1] < s.shared[i] {
                s.shared[i] = uppers[k - 1]
                s.refresh(i)
            }
        }
    }

    /// Merges the workers' candidates and measures the survivors exactly, in the caller's order.
    private static func finish(_ sets: [NeighborCandidates], tiles: DistanceTiles, rows: PointRows, k: Int, threads: Int) -> NeighborGraph {
        let n = rows.count
        let order = tiles.order
        var distances = [Double](repeating: 0, count: n * k)
        var indices = [Int32](repeating: 0, count: n * k)
        distances.withUnsafeMutableBufferPointer { dist in
            indices.withUnsafeMutableBufferPointer { idx in
                parallelChunks(n, threads: threads) { range in
                    var uppers = [Float]()
                    var found = [(Double, Int)]()
                    for i in range {
                        // U = the k-th smallest upper bound over all workers.
                        uppers.removeAll(keepingCapacity: true)
                        for s in sets { for c in 0..<k { uppers.append(s.heap[i * k + c]) } }
                        uppers.sort()
                        let bound = uppers[k - 1]
                        found.removeAll(keepingCapacity: true)
                        let row = order[i]
                        for s in sets {
                            let base = i * s.capacity
                            for c in 0..<Int(s.filled[i]) where s.lower[base + c] <= bound {
                                let j = order[Int(s.index[base + c])]
                                found.append((rows.squaredDistance(row, j), j))
                            }
                        }
                        found.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                        precondition(found.count >= k, "[knn] point \(row) kept \(found.count) candidates, fewer than k = \(k)")
                        for c in 0..<k {
                            dist[row * k + c] = found[c].0.squareRoot()
                            idx[row * k + c] = Int32(truncatingIfNeeded: found[c].1)
                        }
                    }
                }
            }
        }
        return NeighborGraph(count: n, k: k, distances: distances, indices: indices)
    }

    /// The k nearest neighbours of one point among `candidates` by direct Float64 distances.
    ///
    /// - Complexity: O(|candidates|·D + |candidates|·log |candidates|).
    static func bruteForce(_ rows: PointRows, point i: Int, among candidates: [Int], k: Int) -> [(Double, Int32)] {
        var all = [(Double, Int32)]()
        all.reserveCapacity(candidates.count)
        for j in candidates where j != i { all.append((rows.squaredDistance(i, j), Int32(truncatingIfNeeded: j))) }
        all.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        return all.prefix(k).map { ($0.0.squareRoot(), $0.1) }
    }
}
