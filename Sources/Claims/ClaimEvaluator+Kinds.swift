import ExperimentSpec

extension ClaimEvaluator {
    /// Measures one claim's effect, CI and p-value. The unit of evidence is the replicate
    /// (training seed): configurations sharing a replicate index share its seed, so they pair.
    ///
    /// - **cells**: dᵣ = cell − baseline in replicate r (averaged over the configurations read);
    ///   effect d̄ with a paired Student-t CI and p.
    /// - **conditions**: dᵣ = treatment − control for configurations that differ only in `axis`,
    ///   paired by replicate as above; Welch's t when no replicate pairs (one configuration pair).
    /// - **profile**: per-replicate differences between layers, each with a paired t interval at
    ///   a Bonferroni-adjusted level, combined by the intersection–union principle (Berger 1982):
    ///   `interior_peak` effect = maxᵢ min(IDᵢ − ID_first, IDᵢ − ID_last) over interior layers i;
    ///   `decreasing_tail` effect = the smallest step-down ID_j − ID_{j+1} over the last `tail` layers.
    /// - **correlation**: Spearman's ρ between configuration means (no pseudo-replication: n is the
    ///   number of configurations); p from a permutation test over configurations, CI from a
    ///   bootstrap that resamples replicates within each configuration.
    static func measure(_ claim: ClaimSpec, index: DataIndex, options: ClaimOptions) -> Outcome {
        var basis = ClaimBasis()
        let configurations = index.selected(claim)
        basis.configurations = configurations.map(\.label)
        guard !configurations.isEmpty else {
            return .notTestable("no configuration matches where: " + claim.filter.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ", "), basis)
        }
        switch claim.kind {
        case .cells: return cells(claim, configurations, index, options, &basis)
        case .conditions: return conditions(claim, configurations, index, options, &basis)
        case .profile: return profile(claim, configurations, index, options, &basis)
        case .correlation: return correlation(claim, configurations, index, options, &basis)
        }
    }

    /// One cell's replicate values in a configuration, or why they are missing.
    static func cell(_ ref: CellRef?, in c: ClaimConfiguration, _ claim: ClaimSpec, _ index: DataIndex,
                     _ basis: inout ClaimBasis) -> Result<[Int: Double], Missing> {
        guard let ref else { return .failure(Missing("the claim names no cell")) }
        guard let layer = LayerRef.resolve(ref.layer, in: c.layerNames) else {
            return .failure(Missing("configuration '\(c.label)' has no layer '\(ref.layer)'"))
        }
        if !basis.layers.contains(layer) { basis.layers.append(layer) }
        if let step = ref.step {
            if !(basis.steps ?? []).contains(step) { basis.steps = (basis.steps ?? []) + [step] }
            let v = index.values(c, layer: layer, step: step, estimator: claim.estimator)
            if v.isEmpty {
                return .failure(Missing("no \(claim.estimator) estimate of \(layer) at step \(step) in configuration '\(c.label)'"))
            }
            return .success(v)
        }
        let epoch = (ref.epoch ?? .last).resolve(lastEpoch: c.lastEpoch)
        if !basis.epochs.contains(epoch) { basis.epochs.append(epoch) }
        let v = index.values(c, layer: layer, epoch: epoch, estimator: claim.estimator)
        if v.isEmpty {
            return .failure(Missing("no \(claim.estimator) estimate of \(layer) at epoch \(epoch) in configuration '\(c.label)'"))
        }
        return .success(v)
    }

    struct Missing: Error { var reason: String; init(_ r: String) { reason = r } }

    static func pairedMeasure(_ differences: [Double], _ claim: ClaimSpec, _ options: ClaimOptions, what: String) -> Measure? {
        guard let t = TTest.paired(differences, level: options.level) else { return nil }
        return measure(t, claim, method: "paired t across \(t.n) replicates (\(what))")
    }

    /// A t test as a claim's measure: its two-sided p, or for `direction: none` the equivalence
    /// (TOST) p within ±margin.
    static func measure(_ t: TTest, _ claim: ClaimSpec, method: String) -> Measure {
        if claim.direction == .unchanged, let margin = claim.margin {
            return Measure(effect: t.estimate, ciLow: t.ciLow, ciHigh: t.ciHigh, p: t.equivalenceP(margin: margin), n: t.n,
                           method: method + ", two one-sided tests within ±\(format(margin))")
        }
        return Measure(effect: t.estimate, ciLow: t.ciLow, ciHigh: t.ciHigh, p: t.p, n: t.n, method: method)
    }

    static func cells(_ claim: ClaimSpec, _ configurations: [ClaimConfiguration], _ index: DataIndex,
                      _ options: ClaimOptions, _ basis: inout ClaimBasis) -> Outcome {
        var differences: [[Int: Double]] = []
        for c in configurations {
            let a = cell(claim.cell, in: c, claim, index, &basis), b = cell(claim.baseline, in: c, claim, index, &basis)
            switch (a, b) {
            case (.failure(let m), _), (_, .failure(let m)): return .notTestable(m.reason, basis)
            case (.success(let a), .success(let b)):
                differences.append(a.reduce(into: [:]) { out, pair in if let v = b[pair.key] { out[pair.key] = pair.value - v } })
            }
        }
        let pooled = pooledByReplicate(differences)
        basis.replicates = pooled.count
        guard let m = pairedMeasure(pooled, claim, options, what: "cell − baseline") else {
            return .notTestable("needs at least 2 replicates with both cells; found \(pooled.count)", basis)
        }
        return .measured(m, basis)
    }

    static func conditions(_ claim: ClaimSpec, _ configurations: [ClaimConfiguration], _ index: DataIndex,
                           _ options: ClaimOptions, _ basis: inout ClaimBasis) -> Outcome {
        guard let axis = claim.axis, let treatment = claim.treatment, let control = claim.control,
              treatment.values.count == axis.values.count, control.values.count == axis.values.count else {
            return .notTestable("the claim names no axis, treatment or control", basis)
        }
        basis.axis = axis.description
        var pairs: [(ClaimConfiguration, ClaimConfiguration)] = []
        let keys = Array(zip(axis.values, zip(treatment.values, control.values)))
        for t in configurations where keys.allSatisfy({ t.assignments[$0.0] == $0.1.0 }) {
            var want = t.assignments
            for (key, (_, c)) in keys { want[key] = c }
            if let c = configurations.first(where: { $0.assignments == want }) { pairs.append((t, c)) }
        }
        basis.configurations = pairs.flatMap { [$0.0.label, $0.1.label] }
        guard !pairs.isEmpty else {
            return .notTestable("no two configurations differ only in \(axis) = \(treatment) vs \(control)", basis)
        }
        var differences: [[Int: Double]] = [], treated: [Int: Double] = [:], controls: [Int: Double] = [:]
        for (t, c) in pairs {
            switch (cell(claim.cell, in: t, claim, index, &basis), cell(claim.cell, in: c, claim, index, &basis)) {
            case (.failure(let m), _), (_, .failure(let m)): return .notTestable(m.reason, basis)
            case (.success(let a), .success(let b)):
                treated = a
                controls = b
                differences.append(a.reduce(into: [:]) { out, pair in if let v = b[pair.key] { out[pair.key] = pair.value - v } })
            }
        }
        let pooled = pooledByReplicate(differences)
        basis.replicates = pooled.count
        if let m = pairedMeasure(pooled, claim, options, what: "\(treatment) − \(control)") { return .measured(m, basis) }
        if pairs.count == 1, let t = TTest.welch(treated.keys.sorted().compactMap { treated[$0] }, controls.keys.sorted().compactMap { controls[$0] }, level: options.level) {
            basis.replicates = min(treated.count, controls.count)
            return .measured(measure(t, claim, method: "Welch t, \(treated.count) vs \(controls.count) unpaired replicates"), basis)
        }
        return .notTestable("needs at least 2 replicates under both \(treatment) and \(control); found \(pooled.count) pairs", basis)
    }
}
