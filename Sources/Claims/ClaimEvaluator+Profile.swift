import ExperimentSpec

extension ClaimEvaluator {
    /// Shape tests on the layer profile (see ``measure(_:index:options:)``).
    ///
    /// Each comparison of two layers is a paired t interval on per-replicate differences. With m
    /// such comparisons every interval is taken at level 1 − (1 − level)/m (Bonferroni), so all
    /// hold together with probability ≥ level and the max/min combinations below inherit the
    /// coverage. p-values follow the intersection–union principle (Berger 1982): a conjunction
    /// is significant when its least significant part is; a disjunction over J interior layers
    /// is Bonferroni-corrected by J.
    static func profile(_ claim: ClaimSpec, _ configurations: [ClaimConfiguration], _ index: DataIndex,
                        _ options: ClaimOptions, _ basis: inout ClaimBasis) -> Outcome {
        // Per configuration, the profile's layers and the values of each layer by replicate.
        var columns: [[[Int: Double]]] = []
        for c in configurations {
            let names = claim.layers ?? c.probedLayers
            let time = claim.step.map { CellRef(layer: "", step: $0) }
                ?? CellRef(layer: "", epoch: .number((claim.epoch ?? .last).resolve(lastEpoch: c.lastEpoch)))
            var column: [[Int: Double]] = []
            for name in names {
                var ref = time
                ref.layer = name
                switch cell(ref, in: c, claim, index, &basis) {
                case .failure(let m): return .notTestable(m.reason, basis)
                case .success(let v): column.append(v)
                }
            }
            if let first = columns.first, first.count != column.count {
                return .notTestable("profiles differ in length across configurations (\(first.count) vs \(column.count) layers); restrict them with 'where'", basis)
            }
            columns.append(column)
        }
        let depth = columns.first?.count ?? 0
        // Per replicate present everywhere, the profile averaged over configurations.
        let replicates = commonReplicates(columns.flatMap { $0 })
        basis.replicates = replicates.count
        guard replicates.count >= 2 else {
            return .notTestable("needs at least 2 replicates with the whole profile; found \(replicates.count)", basis)
        }
        let profile: [[Double]] = replicates.map { r in
            (0..<depth).map { i in columns.reduce(0) { $0 + ($1[i][r] ?? 0) } / Double(columns.count) }
        }
        func differences(_ i: Int, _ j: Int) -> [Double] { profile.map { $0[i] - $0[j] } }

        switch claim.shape ?? .interiorPeak {
        case .interiorPeak:
            guard depth >= 3 else { return .notTestable("an interior peak needs at least 3 layers; the profile has \(depth)", basis) }
            let interior = Array(1..<(depth - 1))
            let level = 1 - (1 - options.level) / Double(2 * interior.count)
            var best: (effect: Double, low: Double, high: Double, p: Double)?
            for i in interior {
                guard let a = TTest.paired(differences(i, 0), level: level),
                      let b = TTest.paired(differences(i, depth - 1), level: level) else { continue }
                let e = min(a.estimate, b.estimate), lo = min(a.ciLow, b.ciLow), hi = min(a.ciHigh, b.ciHigh), p = max(a.p, b.p)
                best = best.map { (max($0.effect, e), max($0.low, lo), max($0.high, hi), min($0.p, p)) } ?? (e, lo, hi, p)
            }
            guard let best else { return .notTestable("too few replicates for the profile", basis) }
            return .measured(Measure(effect: best.effect, ciLow: best.low, ciHigh: best.high,
                                     p: min(1, best.p * Double(interior.count)), n: replicates.count,
                                     method: "paired t across \(replicates.count) replicates, max over \(interior.count) interior layers of min(ID − first, ID − last), Bonferroni ×\(2 * interior.count)"),
                             basis)
        case .decreasingTail:
            let tail = min(claim.tail ?? 2, depth)
            guard tail >= 2 else { return .notTestable("a decreasing tail needs at least 2 layers; the profile has \(depth)", basis) }
            let steps = Array((depth - tail)..<(depth - 1))
            let level = 1 - (1 - options.level) / Double(steps.count)
            let tests = steps.compactMap { TTest.paired(differences($0, $0 + 1), level: level) }
            guard tests.count == steps.count else { return .notTestable("too few replicates for the profile", basis) }
            return .measured(Measure(effect: tests.map(\.estimate).min() ?? 0, ciLow: tests.map(\.ciLow).min() ?? 0,
                                     ciHigh: tests.map(\.ciHigh).min() ?? 0, p: tests.map(\.p).max() ?? 1, n: replicates.count,
                                     method: "paired t across \(replicates.count) replicates, smallest of \(steps.count) step-downs, Bonferroni ×\(steps.count)"),
                             basis)
        }
    }
}
