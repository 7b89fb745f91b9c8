import EstimatorVocabulary
import Yams

/// Checks one decoded claim against the run points it reads, so a claim that could never be
/// evaluated (unknown layer, epoch not probed, estimator not configured, axis not swept) stops
/// the spec before the first epoch, located at the offending value.
struct ClaimChecker {
    let claim: ClaimSpec
    let label: String
    let reader: MapReader
    let path: [String]
    let scope: ClaimScope
    let ctx: DecodeContext

    /// The keys each kind reads besides id, statement, citation, estimator, kind, min_effect, where.
    static let kindKeys: [ClaimKind: [String]] = [
        .cells: ["cell", "baseline", "direction", "margin"],
        .profile: ["epoch", "step", "shape", "tail", "layers"],
        .correlation: ["cell", "against", "direction"],
        .conditions: ["cell", "axis", "treatment", "control", "direction", "margin"],
    ]

    private func node(_ keys: String...) -> Node? {
        var n = reader.node
        for k in keys { n = MapReader(n, path: [], ctx: DecodeContext()).child(k) }
        return n
    }

    private func error(_ node: Node?, _ keys: [String], _ message: String, help: String? = nil, length: Int? = nil) {
        ctx.error(node, path + keys, "\(label): \(message)", help: help, length: length)
    }

    func check(kind: ClaimKind, estimator: String, item: Node) {
        let allowed = Self.kindKeys[kind] ?? []
        for key in claimKeys where !allowed.contains(key) && reader.has(key) {
            let owners = ClaimKind.allCases.filter { Self.kindKeys[$0]?.contains(key) == true }.map(\.rawValue)
            guard !owners.isEmpty else { continue }
            let list = owners.count == 1 ? owners[0] : owners.dropLast().joined(separator: ", ") + " and " + (owners.last ?? "")
            error(reader.keyNode(key), [key], "'\(key)' applies to \(list) claims, not \(kind.rawValue)",
                  help: "a \(kind.rawValue) claim reads: " + allowed.joined(separator: ", "), length: key.count)
        }
        for key in allowed where !reader.has(key) && required(key, kind) {
            error(item, [], "a \(kind.rawValue) claim needs '\(key)'", help: help(for: key), length: 1)
        }

        checkEquivalence(kind)

        let points = selectedPoints()
        if !EstimatorsSpec.order.contains(estimator) {
            var help = "estimators: " + EstimatorsSpec.order.joined(separator: ", ")
            if let near = nearestName(to: estimator, among: EstimatorsSpec.order) { help = "did you mean '\(near)'? (\(help))" }
            error(reader.child("estimator"), ["estimator"], "unknown estimator '\(estimator)'", help: help)
        } else if let p = points.first(where: { !$0.experiment.estimators.names.contains(estimator) }) {
            let names = p.experiment.estimators.names
            error(reader.child("estimator"), ["estimator"], "estimator '\(estimator)' is not configured",
                  help: "configured: \(names.joined(separator: ", ")); add '\(estimator): {}' under 'estimators', or claim on one of those")
        }
        guard !points.isEmpty else { return }

        if let cell = claim.cell { checkCell(cell, key: "cell", points: points) }
        if let cell = claim.baseline { checkCell(cell, key: "baseline", points: points) }
        switch kind {
        case .cells:
            if let a = claim.cell, let b = claim.baseline, a == b {
                error(reader.child("baseline"), ["baseline"], "'cell' and 'baseline' are the same cell",
                      help: "compare different layers or epochs, e.g. baseline: {layer: last_hidden, epoch: 0}")
            }
        case .profile: checkProfile(points)
        case .correlation: checkCorrelation(points)
        case .conditions: checkConditions()
        }
    }

    /// `direction: none` is an equivalence claim: a paired difference within ±margin, so only for
    /// cells and conditions; `margin` means nothing without it, and `min_effect` nothing with it.
    private func checkEquivalence(_ kind: ClaimKind) {
        if claim.direction == .unchanged, kind == .correlation {
            error(reader.child("direction"), ["direction"], "'direction: none' applies to cells and conditions claims, not correlation",
                  help: "claim a correlation as increase or decrease; test no change as a cells or conditions claim with a margin")
        }
        if claim.direction != .unchanged, claim.direction != nil, reader.has("margin") {
            error(reader.child("margin"), ["margin"], "'margin' applies only to 'direction: none'",
                  help: "use min_effect for the smallest effect that counts as a \(claim.direction?.rawValue ?? "effect"), or write direction: none")
        }
        if claim.direction == .unchanged, reader.has("min_effect") {
            error(reader.child("min_effect"), ["min_effect"], "'min_effect' does not apply to 'direction: none'",
                  help: "the margin says how large a change still counts as none")
        }
    }

    private func required(_ key: String, _ kind: ClaimKind) -> Bool {
        switch key {
        case "epoch", "step", "layers": return false
        case "margin": return claim.direction == .unchanged
        case "tail": return claim.shape == .decreasingTail
        default: return true
        }
    }

    private func help(for key: String) -> String {
        switch key {
        case "cell", "baseline": return "write e.g. \(key): {layer: last_hidden, epoch: \(key == "cell" ? "last" : "0")}"
        case "direction": return "direction: increase, decrease or none"
        case "margin": return "direction: none claims that the effect lies within ±margin (ID units), e.g. margin: 1.0"
        case "shape": return "shape: interior_peak or shape: decreasing_tail"
        case "tail": return "how many final layers must decrease step by step, e.g. tail: 3"
        case "against": return "a metric (\(ClaimSpec.metrics.joined(separator: ", "))) or a swept key"
        case "axis": return "the swept key whose two values are compared, e.g. axis: data.shuffle_labels"
        default: return "e.g. \(key): <a value of '\(claim.axis?.description ?? "axis")'>"
        }
    }

    /// The run points of the configurations the claim reads (its `where` applied).
    private func selectedPoints() -> [RunPoint] {
        var ok = true
        for (key, value) in claim.filter.sorted(by: { $0.key < $1.key }) {
            let at = node("where", key)
            guard let values = scope.values(of: key) else {
                error(at, ["where", key], "'where' names '\(key)', which is not swept", help: sweptHelp)
                ok = false
                continue
            }
            if !values.contains(value) {
                error(at, ["where", key], "'\(key)' never takes the value '\(value)'", help: "its values: " + values.joined(separator: ", "))
                ok = false
            }
        }
        guard ok else { return [] }
        return scope.points.filter { p in
            claim.filter.allSatisfy { key, value in p.assignments.contains { $0.path == key && $0.value == value } }
        }
    }

    private var sweptHelp: String {
        scope.axes.isEmpty ? "nothing is swept in this spec (the replicate seed is not a configuration key)"
            : "swept keys: " + scope.axisPaths.joined(separator: ", ")
    }

    private func checkLayer(_ layer: String, at: Node?, keys: [String], points: [RunPoint]) {
        for p in points {
            // Inner points (h1.pre, block2.sum, …) are names of the model even when this run
            // does not probe them: then the error is that they are not probed.
            let names = p.experiment.layerNames
            guard let resolved = LayerRef.resolve(layer, in: names) ?? LayerRef.resolve(layer, in: p.experiment.model.allLayerNames) else {
                var help = "this model's layers are: " + names.joined(separator: ", ") + ", or last_hidden"
                if let near = nearestName(to: layer, among: names + [LayerRef.lastHidden]) { help = "did you mean '\(near)'? (\(help))" }
                return error(at, keys, "no layer named '\(layer)' in this model", help: help)
            }
            if !p.experiment.probedLayers.contains(resolved) {
                return error(at, keys, "layer '\(resolved)' is not probed",
                             help: "add it to probe.layers (probed: \(p.experiment.probedLayers.joined(separator: ", ")))")
            }
        }
    }

    private func checkEpoch(_ epoch: EpochRef, at: Node?, keys: [String], points: [RunPoint]) {
        for p in points {
            let e = epoch.resolve(lastEpoch: p.experiment.train.epochs)
            let probed = p.experiment.probe.epochs
            if probed.isEmpty {
                return error(at, keys, "epoch \(e)\(epoch == .last ? " (the last)" : "") is not probed: this run probes steps only",
                             help: "add probe.epochs: [\(e)], or name a step of probe.steps (\(p.experiment.probe.steps?.map(String.init).joined(separator: ", ") ?? ""))")
            }
            if !probed.contains(e) {
                return error(at, keys, "epoch \(e)\(epoch == .last ? " (the last)" : "") is not probed",
                             help: "probed epochs: \(probed.map(String.init).joined(separator: ", ")); add \(e) to probe.epochs")
            }
        }
    }

    /// A step must be listed in `probe.steps` of every point the claim reads.
    private func checkStep(_ step: Int, at: Node?, keys: [String], points: [RunPoint]) {
        for p in points {
            guard let probed = p.experiment.probe.steps, !probed.isEmpty else {
                return error(at, keys, "step \(step) is not probed: this run probes no steps",
                             help: "add probe.steps: [\(step)] to probe the layers at optimizer step \(step)")
            }
            if !probed.contains(step) {
                return error(at, keys, "step \(step) is not probed",
                             help: "probed steps: \(probed.map(String.init).joined(separator: ", ")); add \(step) to probe.steps")
            }
        }
    }

    private func checkCell(_ cell: CellRef, key: String, points: [RunPoint]) {
        checkLayer(cell.layer, at: node(key, "layer"), keys: [key, "layer"], points: points)
        if let step = cell.step {
            checkStep(step, at: node(key, "step"), keys: [key, "step"], points: points)
        } else {
            checkEpoch(cell.epoch ?? .last, at: node(key, "epoch"), keys: [key, "epoch"], points: points)
        }
    }

    private func checkProfile(_ points: [RunPoint]) {
        if let step = claim.step {
            checkStep(step, at: node("step"), keys: ["step"], points: points)
        } else {
            checkEpoch(claim.epoch ?? .last, at: node("epoch") ?? reader.node, keys: ["epoch"], points: points)
        }
        for (i, layer) in (claim.layers ?? []).enumerated() {
            checkLayer(layer, at: node("layers").flatMap { n in
                if case .sequence(let s) = n, i < s.count { return s[i] } else { return n }
            }, keys: ["layers"], points: points)
        }
        let length = claim.layers?.count ?? points.map(\.experiment.probedLayers.count).min() ?? 0
        if claim.shape == .interiorPeak, length < 3 {
            error(node("layers") ?? reader.node, ["layers"], "an interior peak needs a profile of at least 3 layers, found \(length)",
                  help: "probe more layers, or list at least 3 in 'layers'")
        }
        if claim.shape == .interiorPeak, claim.tail != nil {
            error(reader.keyNode("tail"), ["tail"], "'tail' applies to shape decreasing_tail, not interior_peak",
                  help: "remove it, or set shape: decreasing_tail", length: 4)
        }
        if claim.shape == .decreasingTail, let tail = claim.tail, tail < 2 || tail > length {
            error(node("tail"), ["tail"], "'tail' is \(tail) but the profile has \(length) layers",
                  help: "use tail in 2...\(max(2, length))")
        }
    }

    private func checkCorrelation(_ points: [RunPoint]) {
        guard let against = claim.against else { return }
        let configurations = Set(points.map(\.configuration)).count
        if ClaimSpec.metrics.contains(against), points.contains(where: { $0.experiment.activations != nil }) {
            error(node("against"), ["against"], "'\(against)' is a training metric, and imported activations have none",
                  help: "correlate with a swept key instead, or compare cells with a cells claim")
        } else if ClaimSpec.metrics.contains(against) {
            // Every metric is measured whenever its point trains; noise_scale needs noise batches.
            if against == "noise_scale" || against == "noise_temperature", points.contains(where: { $0.experiment.train.noiseBatches == 0 }) {
                error(node("against"), ["against"], "'\(against)' is not measured (train.noise_batches is 0)",
                      help: "set train.noise_batches to 2 or more")
            }
        } else if let values = scope.values(of: against) {
            if let bad = values.first(where: { Double($0) == nil }) {
                error(node("against"), ["against"], "'\(against)' takes the non-numeric value '\(bad)'; a rank correlation needs numbers",
                      help: "compare two of its values with a conditions claim instead")
            }
        } else {
            error(node("against"), ["against"], "'\(against)' is neither a metric nor a swept key",
                  help: "metrics: \(ClaimSpec.metrics.joined(separator: ", ")); \(sweptHelp)")
        }
        if configurations < 3 {
            error(reader.keyNode("kind") ?? reader.node, ["kind"], "a correlation needs at least 3 configurations, this claim reads \(configurations)",
                  help: "sweep a key over 3 or more values (replicates do not count: they are averaged)", length: 4)
        }
    }

    private func checkConditions() {
        guard let axes = claim.axis?.values, !axes.isEmpty else { return }
        for (key, list) in [("treatment", claim.treatment), ("control", claim.control)] {
            if let list, list.values.count != axes.count {
                return error(node(key), [key], "'\(key)' has \(list.values.count) value\(list.values.count == 1 ? "" : "s") but 'axis' names \(axes.count) key\(axes.count == 1 ? "" : "s")",
                             help: "give one value per axis key, in the same order: [" + axes.map { "<\($0)>" }.joined(separator: ", ") + "]")
            }
        }
        if Set(axes).count != axes.count {
            return error(node("axis"), ["axis"], "'axis' names a key twice", help: "list each swept key once")
        }
        var ok = true
        for (i, axis) in axes.enumerated() {
            guard let values = scope.values(of: axis) else {
                error(node("axis"), ["axis"], "'\(axis)' is not swept", help: sweptHelp)
                ok = false
                continue
            }
            if claim.filter[axis] != nil {
                error(node("where", axis), ["where", axis], "'where' fixes '\(axis)', the axis this claim compares",
                      help: "remove it from 'where'")
            }
            for key in ["treatment", "control"] {
                if let v = (key == "treatment" ? claim.treatment : claim.control)?.values[i], !values.contains(v) {
                    error(node(key), [key], "'\(axis)' never takes the value '\(v)'", help: "its values: " + values.joined(separator: ", "))
                    ok = false
                }
            }
        }
        if ok, let t = claim.treatment, t == claim.control {
            error(node("control"), ["control"], "'treatment' and 'control' are the same value '\(t)'",
                  help: "compare two different values of '\(claim.axis?.description ?? "")'")
        }
    }
}
