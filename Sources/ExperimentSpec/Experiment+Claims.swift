import EstimatorVocabulary
import Yams

extension EpochRef: NodeDecodable {
    static var expected: String { "an epoch number or 'last'" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> EpochRef? {
        if case .scalar(let s) = node {
            if s.string == "last" { return .last }
            if let n = Int(s.string) { return .number(n) }
        }
        typeError(node, path, ctx)
        return nil
    }
}

extension Dictionary: NodeDecodable where Key == String, Value == String {
    static var expected: String { "a mapping of swept keys to values" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> [String: String]? {
        guard case .mapping(let m) = node else {
            typeError(node, path, ctx)
            return nil
        }
        var out: [String: String] = [:]
        for (k, v) in m {
            guard let key = k.string, case .scalar(let s) = v else {
                typeError(node, path, ctx)
                return nil
            }
            out[key] = s.string
        }
        return out
    }
}

/// Every key a claim may carry.
let claimKeys = ["id", "statement", "citation", "estimator", "kind", "direction", "margin", "shape", "min_effect", "cell", "baseline",
                 "epoch", "step", "layers", "tail", "against", "axis", "treatment", "control", "where"]

/// What claims are checked against: the expanded run points and the configuration axes.
struct ClaimScope {
    var points: [RunPoint]
    /// Swept key paths other than the replicate seed, with the values each takes (as displayed).
    var axes: [(path: String, values: [String])]

    var axisPaths: [String] { axes.map(\.path) }

    func values(of path: String) -> [String]? { axes.first { $0.path == path }?.values }
}

/// Reads the top-level `claims:` list, checking every claim against every run point it reads.
func decodeClaims(_ root: Node, scope: ClaimScope, ctx: DecodeContext) -> [ClaimSpec] {
    let top = MapReader(root, path: [], ctx: ctx)
    guard let list = top.child("claims"), !isNull(list) else { return [] }
    guard case .sequence(let items) = list else {
        ctx.error(list, ["claims"], "'claims' must be a list of claims",
                  help: "start each claim with '- id: …' on its own line under 'claims:'")
        return []
    }
    var claims: [ClaimSpec] = []
    var seen: [String: Int] = [:]
    for (i, item) in items.enumerated() {
        let path = ["claims", "[\(i)]"]
        var r = MapReader(item, path: path, ctx: ctx)
        guard r.mapping != nil else { continue }
        let id: String? = r.optional("id")
        let label = id.map { "claim '\($0)'" } ?? "claim \(i)"
        // A misspelt key is reported as unknown (with its spelling); not also as missing.
        let written = r.mapping.map { $0.compactMap { $0.key.string } } ?? []
        func misspelt(_ key: String) -> Bool { written.contains { !claimKeys.contains($0) && nearestName(to: $0, among: [key]) != nil } }
        func need<T: NodeDecodable>(_ key: String, _ value: T?, help: String) -> T? {
            if value == nil, !r.has(key), !misspelt(key) {
                ctx.error(item, path, "\(label) has no '\(key)'", help: help, length: 1)
            }
            return value
        }
        _ = need("id", id, help: "give every claim a short unique id, e.g. id: compression")
        if let id, let first = seen[id] {
            ctx.error(r.child("id"), path + ["id"], "duplicate claim id '\(id)'", help: "claim \(first) already uses it; ids must be unique")
        } else if let id { seen[id] = i }
        let statement: String? = need("statement", r.optional("statement"), help: "state the hypothesis in words, e.g. statement: Training compresses the last hidden layer")
        let citation: String? = r.optional("citation")
        let estimator: String? = need("estimator", r.optional("estimator"),
                                      help: "name the one primary estimator, chosen before the run: one of " + EstimatorsSpec.order.joined(separator: ", "))
        let kind: ClaimKind? = need("kind", r.optional("kind"), help: "one of: " + ClaimKind.allCases.map(\.rawValue).joined(separator: ", "))
        var claim = ClaimSpec(id: id ?? "", statement: statement ?? "", citation: citation, estimator: estimator ?? "",
                              kind: kind ?? .cells)
        claim.direction = r.optional("direction")
        claim.shape = r.optional("shape")
        claim.minEffect = r.optional("min_effect")
        if let m = claim.minEffect, m < 0 {
            ctx.error(r.child("min_effect"), path + ["min_effect"], "'\(dotted(path + ["min_effect"]))' is \(m), out of range",
                      help: "give the smallest effect that counts as support as a size (≥ 0); the sign comes from 'direction'")
        }
        claim.margin = r.optional("margin")
        if let m = claim.margin, !(m > 0 && m <= 1e6) {
            ctx.error(r.child("margin"), path + ["margin"], "'\(dotted(path + ["margin"]))' is \(m), out of range",
                      help: "give the largest change that still counts as none, in ID units, in (0, 1e6], e.g. margin: 1.0")
        }
        claim.cell = readCell(&r, "cell", path: path, ctx: ctx)
        claim.baseline = readCell(&r, "baseline", path: path, ctx: ctx)
        claim.epoch = r.optional("epoch")
        claim.step = r.optional("step")
        if kind == .profile, claim.epoch != nil, claim.step != nil {
            ctx.error(r.keyNode("step"), path + ["step"], "\(label): a profile reads one epoch or one step, not both",
                      help: "remove 'epoch' to read the profile at step \(claim.step ?? 0), or remove 'step'", length: 4)
        }
        claim.layers = r.optional("layers")
        claim.tail = r.optional("tail")
        claim.against = r.optional("against")
        claim.axis = r.optional("axis")
        claim.treatment = r.optional("treatment")
        claim.control = r.optional("control")
        claim.filter = r.optional("where") ?? [:]
        if kind == .profile, claim.epoch == nil, claim.step == nil { claim.epoch = .last }
        r.finish()
        guard let kind, let estimator, id != nil, statement != nil else { continue }
        let before = ctx.diagnostics.count
        ClaimChecker(claim: claim, label: label, reader: r, path: path, scope: scope, ctx: ctx)
            .check(kind: kind, estimator: estimator, item: item)
        if ctx.diagnostics.count == before { claims.append(claim) }
    }
    return claims
}

private func readCell(_ r: inout MapReader, _ key: String, path: [String], ctx: DecodeContext) -> CellRef? {
    var c = r.nested(key)
    let layer: String? = c.optional("layer")
    let epoch: EpochRef? = c.optional("epoch")
    let step: Int? = c.optional("step")
    c.finish()
    guard r.has(key) else { return nil }
    if layer == nil, !c.has("layer") {
        ctx.error(r.child(key), path + [key], "'\(dotted(path + [key]))' has no 'layer'",
                  help: "write a cell as {layer: last_hidden, epoch: last}")
    }
    if !c.has("epoch"), !c.has("step") {
        ctx.error(r.child(key), path + [key], "'\(dotted(path + [key]))' has no 'epoch' or 'step'",
                  help: "write a cell as {layer: last_hidden, epoch: last}, or {layer: h1, step: 40} for a step in probe.steps")
    }
    if c.has("epoch"), c.has("step") {
        ctx.error(c.keyNode("step"), path + [key, "step"], "'\(dotted(path + [key]))' names both an epoch and a step; a cell is one of them",
                  help: "keep 'epoch' for an epoch probe or 'step' for a probe.steps probe", length: 4)
        return nil
    }
    guard let layer else { return nil }
    if let step { return CellRef(layer: layer, step: step) }
    guard let epoch else { return nil }
    return CellRef(layer: layer, epoch: epoch)
}
