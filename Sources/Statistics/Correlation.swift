/// Ranks 1…n in ascending order, tied values sharing the average of the ranks they span
/// (mid-ranks): `[10, 20, 20, 30]` ranks as `[1, 2.5, 2.5, 4]`.
///
/// - Complexity: O(n log n).
public func averageRanks(_ values: [Double]) -> [Double] {
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

/// Pearson's product-moment correlation; nil for fewer than two pairs or when either side has no
/// spread.
///
/// ```
/// r = Σ (xᵢ − x̄)(yᵢ − ȳ) / √(Σ (xᵢ − x̄)² · Σ (yᵢ − ȳ)²)
/// ```
/// Clamped to [−1, 1], so rounding never reports a correlation beyond them.
public func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "[pearson] \(x.count) x values but \(y.count) y values")
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

/// Spearman's rank correlation ρ: Pearson's correlation of the average ranks (Spearman 1904),
/// ties taking mid-ranks.
///
/// ```
/// ρ = r(rank x, rank y)
/// ```
/// Nil when undefined: fewer than two pairs, or a side that is constant.
///
/// - Complexity: O(n log n).
public func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "[spearman] \(x.count) x values but \(y.count) y values")
    return pearson(averageRanks(x), averageRanks(y))
}
