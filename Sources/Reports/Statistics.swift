import Foundation

/// Small summary statistics used by the figures and tables.
enum Statistics {
    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// The sample standard deviation (n − 1 in the denominator); `nil` for fewer than two values.
    static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count > 1, let m = mean(values) else { return nil }
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// Ranks from 1, tied values sharing the mean of the ranks they span.
    ///
    /// - Complexity: O(n log n).
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Pearson's correlation; `nil` when either side has no spread or fewer than two pairs.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "[pearson] lengths \(x.count) and \(y.count) differ")
        guard x.count > 1, let mx = mean(x), let my = mean(y) else { return nil }
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
    }

    /// Spearman's rank correlation: Pearson's correlation of the ranks.
    ///
    /// ```
    /// ρ = cov(rank x, rank y) / (σ(rank x) σ(rank y))
    /// ```
    /// Spearman (1904), with mid-ranks for ties. `nil` when undefined (n < 2 or a constant side).
    ///
    /// - Complexity: O(n log n).
    static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "[spearman] lengths \(x.count) and \(y.count) differ")
        return pearson(ranks(x), ranks(y))
    }
}
