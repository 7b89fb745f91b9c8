import ExperimentSpec
import Statistics

extension ClaimEvaluator {
    /// Spearman's ρ across configurations between a cell's mean ID and a metric's mean or a swept
    /// key's value.
    ///
    /// Configuration means are the unit, so replicates are never counted as independent points
    /// (no pseudo-replication). The p-value permutes configurations (exact up to 8 of them; with
    /// fewer than 5, p < 0.05 is impossible). The CI is a percentile bootstrap in which each
    /// configuration's replicates are resampled with replacement, keeping each replicate's ID and
    /// metric together, and ρ is recomputed from the resampled means.
    ///
    /// - Complexity: O(resamples · (replicates + k log k)) for k configurations.
    static func correlation(_ claim: ClaimSpec, _ configurations: [ClaimConfiguration], _ index: DataIndex,
                            _ options: ClaimOptions, _ basis: inout ClaimBasis) -> Outcome {
        guard let against = claim.against else { return .notTestable("the claim names nothing to correlate against", basis) }
        let isMetric = ClaimSpec.metrics.contains(against)
        if isMetric { basis.metric = against } else { basis.axis = against }
        // Per configuration, the (x, y) pairs of its replicates, in replicate order.
        var groups: [[(x: Double, y: Double)]] = []
        for c in configurations {
            let y: [Int: Double]
            switch cell(claim.cell, in: c, claim, index, &basis) {
            case .failure(let m): return .notTestable(m.reason, basis)
            case .success(let v): y = v
            }
            let x: [Int: Double]
            if isMetric {
                // A step cell reads the metric after the epoch in progress at its step.
                guard let epoch = claim.cell?.step.map({ index.epoch(c, step: $0) })
                        ?? (claim.cell?.epoch ?? .last).resolve(lastEpoch: c.lastEpoch) else {
                    return .notTestable("no epoch in progress known for step \(claim.cell?.step ?? 0) in configuration '\(c.label)'", basis)
                }
                x = index.metric(c, against, epoch: epoch)
                if x.isEmpty { return .notTestable("no \(against) at epoch \(epoch) in configuration '\(c.label)'", basis) }
            } else {
                guard let value = c.assignments[against].flatMap(Double.init) else {
                    return .notTestable("configuration '\(c.label)' has no numeric value of \(against)", basis)
                }
                x = y.mapValues { _ in value }
            }
            let pairs = y.keys.sorted().compactMap { r in x[r].map { (x: $0, y: y[r] ?? 0) } }
            if pairs.count < 2 {
                return .notTestable("configuration '\(c.label)' has \(pairs.count) replicate\(pairs.count == 1 ? "" : "s") with both values; a CI across replicates needs 2", basis)
            }
            groups.append(pairs)
        }
        basis.replicates = groups.map(\.count).min() ?? 0
        guard groups.count >= 3 else {
            return .notTestable("a correlation needs at least 3 configurations; found \(groups.count)", basis)
        }
        func means(_ g: [(x: Double, y: Double)]) -> (Double, Double) {
            (g.reduce(0) { $0 + $1.x } / Double(g.count), g.reduce(0) { $0 + $1.y } / Double(g.count))
        }
        let m = groups.map(means)
        guard let rho = spearman(m.map(\.0), m.map(\.1)) else {
            return .notTestable("the configuration means of \(against) or of the ID are all tied; ρ is undefined", basis)
        }
        var rng = SplitMix64(seed: options.seed ^ fnv1a(claim.id))
        let p = spearmanPermutationP(m.map(\.0), m.map(\.1), resamples: options.resamples, rng: &rng) ?? 1
        var boot: [Double] = []
        boot.reserveCapacity(options.resamples)
        for _ in 0..<options.resamples {
            let resampled = groups.map { g in means((0..<g.count).map { _ in g[Int.random(in: 0..<g.count, using: &rng)] }) }
            if let r = spearman(resampled.map(\.0), resampled.map(\.1)) { boot.append(r) }
        }
        guard let ci = percentileInterval(boot, level: options.level) else {
            return .notTestable("every bootstrap resample tied; ρ has no interval", basis)
        }
        let exact = groups.count <= 8
        var measure = Measure(effect: rho, ciLow: ci.low, ciHigh: ci.high, p: p, n: groups.count,
                              method: "Spearman ρ of \(groups.count) configuration means; \(exact ? "exact" : "\(options.resamples)-draw") permutation p; bootstrap CI over replicates (\(options.resamples) resamples)")
        if groups.count < 5 { measure.note = "with \(groups.count) configurations the permutation p cannot fall below \(format(2 / Double((1...groups.count).reduce(1, *))))" }
        return .measured(measure, basis)
    }
}

/// FNV-1a 64-bit hash: derives a claim's random stream from its id.
func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}
