/// The k nearest neighbours of every point: Float64 distances in ascending order, self excluded.
///
/// Row i holds `distances[i·k ..< (i+1)·k]` and the matching `indices`; among equal distances the
/// smaller index comes first.
public struct NeighborGraph: Sendable, Equatable {
    /// Number of points.
    public let count: Int
    /// Neighbours per point.
    public let k: Int
    /// `count × k` Euclidean distances, each row ascending; never negative.
    public let distances: [Double]
    /// `count × k` neighbour indices into the point set.
    public let indices: [Int32]

    public init(count: Int, k: Int, distances: [Double], indices: [Int32]) {
        precondition(distances.count == count * k && indices.count == count * k,
                     "[NeighborGraph] \(count) points × k = \(k) needs \(count * k) entries, got \(distances.count) distances and \(indices.count) indices")
        self.count = count
        self.k = k
        self.distances = distances
        self.indices = indices
    }

    /// The distance from point `i` to its `rank`-th nearest neighbour (rank 1 is the nearest).
    @inlinable
    public func distance(_ i: Int, rank: Int) -> Double { distances[i * k + rank - 1] }

    /// Points whose nearest neighbour is at distance 0, i.e. that have an exact duplicate.
    public var duplicatePoints: Int {
        (0..<count).reduce(0) { $0 + (distances[$1 * k] == 0 ? 1 : 0) }
    }

    /// The first `k` neighbours of every point.
    func truncated(to newK: Int) -> NeighborGraph {
        precondition(newK >= 1 && newK <= k, "[NeighborGraph.truncated] k = \(newK) outside 1...\(k)")
        if newK == k { return self }
        var d = [Double](), x = [Int32]()
        d.reserveCapacity(count * newK)
        x.reserveCapacity(count * newK)
        for i in 0..<count {
            d.append(contentsOf: distances[(i * k)..<(i * k + newK)])
            x.append(contentsOf: indices[(i * k)..<(i * k + newK)])
        }
        return NeighborGraph(count: count, k: newK, distances: d, indices: x)
    }

    /// The `newK`-neighbour graph of the subset `members` (ascending row indices) of the points,
    /// indexed by position in `members`.
    ///
    /// A member's neighbours within the subset are the first members in its full neighbour list,
    /// so they are read off this graph; a point with fewer than `newK` members among its k listed
    /// neighbours is searched directly (Float64, against every member). The result equals a fresh
    /// search on the subset.
    ///
    /// - Complexity: O(|members|·k), plus O(|members|·D) per point searched directly.
    func restricted(to members: [Int], k newK: Int, rows: PointRows) -> NeighborGraph {
        let m = members.count
        precondition(newK >= 1 && m > newK, "[NeighborGraph.restricted] needs more than k = \(newK) members, got \(m)")
        assert(zip(members, members.dropFirst()).allSatisfy { $0 < $1 }, "[NeighborGraph.restricted] members must ascend")
        var local = [Int32](repeating: -1, count: count)
        for (p, g) in members.enumerated() { local[g] = Int32(p) }
        var d = [Double](repeating: 0, count: m * newK)
        var x = [Int32](repeating: 0, count: m * newK)
        let complete = k >= count - 1
        for (p, g) in members.enumerated() {
            var found = 0
            var c = 0
            while found < newK && c < k {
                let j = local[Int(indices[g * k + c])]
                if j >= 0 {
                    d[p * newK + found] = distances[g * k + c]
                    x[p * newK + found] = j
                    found += 1
                }
                c += 1
            }
            if found < newK && !complete {
                let direct = NearestNeighbors.bruteForce(rows, point: g, among: members, k: newK)
                for (c, (dist, j)) in direct.enumerated() {
                    d[p * newK + c] = dist
                    x[p * newK + c] = local[Int(j)]
                }
            }
        }
        return NeighborGraph(count: m, k: newK, distances: d, indices: x)
    }
}
