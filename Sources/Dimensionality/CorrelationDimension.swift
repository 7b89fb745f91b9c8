import EstimatorVocabulary
import Foundation

/// The Grassberger–Procaccia correlation dimension between two neighbour scales.
///
/// ```
/// C(r) = #{ (i, j) : i ≠ j, ‖xᵢ − xⱼ‖ < r } / N²
/// d̂ = log(C(r₂) / C(r₁)) / log(r₂ / r₁)
/// ```
/// The scales are data-driven: r₁ and r₂ are the medians over points of the distance to the
/// k₁-th and k₂-th nearest neighbour (defaults 10 and 20), so both radii sit inside the range
/// where most points have neighbours, whatever the units. This is skdim `CorrInt(k1, k2)`.
/// Every pair is counted exactly: the Float32 distance tiles decide all pairs outside the error
/// band of either radius, and pairs inside it are measured in Float64. Grassberger & Procaccia,
/// "Measuring the strangeness of strange attractors", Physica D 9 (1983).
///
/// - Complexity: O(N²·D / 2) (one sweep over all pairs) after the k₂-neighbour search.
public enum CorrelationDimension {
    public static let name = "corrdim"

    public struct Settings: Sendable, Equatable {
        public var k1: Int
        public var k2: Int

        public init(k1: Int = EstimatorCatalog.CorrDim.k1.defaultValue, k2: Int = EstimatorCatalog.CorrDim.k2.defaultValue) {
            self.k1 = k1
            self.k2 = k2
        }

        public var flavour: String {
            "Grassberger–Procaccia slope log(C(r2)/C(r1))/log(r2/r1), r1, r2 = medians of the \(k1)th and \(k2)th neighbour distances, C(r) = #{i≠j: d_ij < r}/N² (skdim CorrInt)"
        }
    }

    struct Outcome {
        var value: Double
        var radii: (Double, Double)
        var pairs: (Int, Int)
    }

    static func evaluate(_ rows: PointRows, graph: NeighborGraph, settings: Settings, threads: Int) throws -> Outcome {
        let n = rows.count
        let r1 = median((0..<n).map { graph.distance($0, rank: settings.k1) })
        let r2 = median((0..<n).map { graph.distance($0, rank: settings.k2) })
        guard r1 > 0, r2 > r1 else {
            throw EstimatorError.degenerate(estimator: name, reason: "the median \(settings.k1)th and \(settings.k2)th neighbour distances (\(r1), \(r2)) must be positive and increasing")
        }
        let (c1, c2) = countPairs(rows, below: r1, r2, threads: threads)
        guard c1 > 0 else {
            throw EstimatorError.degenerate(estimator: name, reason: "no pair of points is closer than r1 = \(r1)")
        }
        let n2 = Double(n) * Double(n)
        let value = (log(Double(2 * c2) / n2) - log(Double(2 * c1) / n2)) / log(r2 / r1)
        return Outcome(value: value, radii: (r1, r2), pairs: (c1, c2))
    }

    /// The median as NumPy defines it (mean of the two middle values when the count is even).
    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// The numbers of unordered pairs of distinct points closer than `r1` and than `r2` (r1 < r2).
    ///
    /// - Complexity: O(N²·D / 2).
    static func countPairs(_ rows: PointRows, below r1: Double, _ r2: Double, threads: Int) -> (Int, Int) {
        let tiles = DistanceTiles(rows, blockSize: Swift.min(NearestNeighbors.defaultBlockSize, rows.count))
        let s2 = tiles.scale * tiles.scale
        let radii = [r1, r2]
        // Scaled squared radii widened by a relative 1e-6, beyond any Float32 rounding of them.
        let low = radii.map { Float($0 * $0 * s2 * (1 - 1e-6)) }
        let high = radii.map { Float($0 * $0 * s2 * (1 + 1e-6)) }
        let w = tiles.squaredNorms.map { (1 - tiles.tau) * $0 }
        let twoTau = 2 * tiles.tau
        let workers = tiles.workers(threads: threads)
        var counts = [(Int, Int)](repeating: (0, 0), count: workers)
        counts.withUnsafeMutableBufferPointer { out in
            w.withUnsafeBufferPointer { pw in
                guard let wBase = pw.baseAddress else { return }
                let outer = high[1]
                tiles.sweep(threads: workers) { worker, block, columns, tile in
                    var c1 = 0, c2 = 0
                    let ld = columns.count, j0 = columns.lowerBound
                    for r in 0..<block.count {
                        let i = block.lowerBound + r
                        let row = tile + r * ld
                        let wi = pw[i]
                        var c = block == columns ? r + 1 : 0
                        func pair(_ j: Int, _ t: Float) {
                            let lo = t + wi + pw[j]
                            guard lo <= outer else { return }
                            let up = lo + twoTau * (tiles.squaredNorms[i] + tiles.squaredNorms[j])
                            var exact: Double?
                            for a in 0..<2 {
                                var below: Bool
                                if up < low[a] {
                                    below = true
                                } else if lo > high[a] {
                                    below = false
                                } else {
                                    if exact == nil { exact = rows.squaredDistance(i, j).squareRoot() }
                                    below = (exact ?? .infinity) < radii[a]
                                }
                                if below { if a == 0 { c1 += 1 } else { c2 += 1 } }
                            }
                        }
                        while c + 16 <= ld {
                            // Branch-free over 16 lanes so the test compiles to packed compares.
                            let tp = row + c, wp = wBase + j0 + c
                            var hit: UInt32 = 0
                            for l in 0..<16 { hit |= tp[l] + wp[l] + wi <= outer ? 1 : 0 }
                            if hit != 0 {
                                for l in 0..<16 { pair(j0 + c + l, row[c + l]) }
                            }
                            c += 16
                        }
                        while c < ld {
                            pair(j0 + c, row[c])
                            c += 1
                        }
                    }
                    out[worker].0 += c1
                    out[worker].1 += c2
                }
            }
        }
        return counts.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
}
