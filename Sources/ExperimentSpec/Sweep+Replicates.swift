import Yams

/// The key path whose grid sweep numbers replicates: replicates differ only in the training seed.
let replicateSeedPath = "train.seed"

/// The key path `replicates.probe` varies: probe-set replicates of one trained network.
let probeReplicateSeedPath = "probe.seed"

/// Top-level keys read once per spec rather than per run point; they are not sweepable.
let specLevelKeys = ["replicates", "claims"]

/// The sweep axes with the replicate axes added that `replicates:` asks for.
///
/// `replicates: n` (or `{train: n}`): replicate r of n takes the training seed `train.seed + r`
/// (r = 0 … n − 1), so replicate 0 keeps the seed as written and `seed: 1, replicates: 3` trains
/// with seeds 1, 2 and 3. Every stage derives its own stream from that root seed through
/// SplitMix64, so neighbouring seeds give unrelated streams.
///
/// `replicates: {train: n, probe: m}` also probes every trained network on m probe sets, drawn
/// with seeds `probe.seed + q` (q = 0 … m − 1); the training stages are shared between them.
///
/// Training replicates are the innermost axis but for probe replicates, so a configuration's
/// replicates are consecutive run points; with `replicates` absent or 1 nothing changes.
func withReplicates(_ axes: [SweepAxis], root: Node, ctx: DecodeContext) -> [SweepAxis] {
    for axis in axes where axis.stringPath.first.map(specLevelKeys.contains) == true {
        ctx.error(axis.node, axis.stringPath, "'\(axis.stringPath[0])' cannot be swept",
                  help: axis.stringPath[0] == "claims" ? "declare one claim per comparison instead"
                      : "write one replicate count; replicates are not configurations")
    }
    var top = MapReader(root, path: [], ctx: ctx)
    guard let node = top.child("replicates"), !isNull(node), node.sweep == nil else { return axes }
    var train = 1, probe = 1
    var trainNode: Node? = node, probeNode: Node?
    if case .mapping = node {
        var r = top.nested("replicates")
        train = r.read("train", default: 1, in: 1...1000)
        probe = r.read("probe", default: 1, in: 1...1000)
        trainNode = r.child("train") ?? node
        probeNode = r.child("probe")
        r.finish()
    } else {
        train = top.read("replicates", default: 1, in: 1...1000)
    }
    var out = axes
    if train > 1, let axis = replicateAxis(axes, root: root, section: "train", count: train, node: trainNode ?? node,
                                           key: probeNode == nil && trainNode == node ? "replicates" : "replicates.train", ctx: ctx) {
        out.append(axis)
    }
    if probe > 1, let axis = replicateAxis(axes, root: root, section: "probe", count: probe, node: probeNode ?? node,
                                           key: "replicates.probe", ctx: ctx) {
        out.append(axis)
    }
    return out
}

/// A grid axis over `<section>.seed`, seeds counting up from the one written (0 when absent).
private func replicateAxis(_ axes: [SweepAxis], root: Node, section: String, count: Int, node: Node, key: String,
                           ctx: DecodeContext) -> SweepAxis? {
    let path = "\(section).seed"
    let keyPath = key.split(separator: ".").map(String.init)
    if let seedAxis = axes.first(where: { $0.dottedPath == path }) {
        ctx.error(node, keyPath, "'\(key)' cannot be combined with a sweep of '\(path)'",
                  help: section == "train"
                      ? "each value of train.seed's sweep (line \(seedAxis.node.mark?.line ?? 0)) is already one replicate: drop 'replicates', or write one seed"
                      : "write one probe.seed (line \(seedAxis.node.mark?.line ?? 0)); probe replicate q uses probe.seed + q")
        return nil
    }
    var base: UInt64 = 0
    let reader = MapReader(MapReader(root, path: [], ctx: DecodeContext()).child(section), path: [section], ctx: DecodeContext())
    if let seed = reader.child("seed"), !isNull(seed) {
        // An invalid seed is reported by the point decoder; no replicates are added meanwhile.
        guard case .scalar(let s) = seed, let v = UInt64(s.string) else { return nil }
        base = v
    }
    guard base <= UInt64.max - UInt64(count - 1) else {
        ctx.error(node, keyPath, "\(count) replicates from seed \(base) run past the largest seed", help: "use a smaller \(path)")
        return nil
    }
    let seeds = (0..<UInt64(count)).map { Node(String(base + $0)) }
    return SweepAxis(path: [.key(section), .key("seed")], mode: .grid, values: seeds, node: node)
}

/// Numbers each point's configuration, replicate and probe replicate; returns the paths that
/// number replicates (`train.seed`) and probe replicates (`probe.seed`), if any.
///
/// The replicate axis is a grid sweep of `train.seed` (written out, or made by `replicates:`):
/// a point's replicate index is the position of its seed in that sweep. The probe-replicate axis
/// is the one `replicates.probe` makes (a sweep of `probe.seed` written in the spec stays a
/// configuration axis, as it always was). A point's configuration is numbered by the first
/// appearance of its other axes' values in point order. A spec with neither has one replicate
/// per configuration and configuration = point index.
func numberReplicates(_ points: inout [RunPoint], choices: [[Int]], axes: [SweepAxis]) -> (train: String?, probe: String?) {
    let r = axes.firstIndex { $0.dottedPath == replicateSeedPath && $0.mode == .grid }
    // Written sweeps sit on a `{grid: …}` node; the axis `replicates.probe` makes sits on a count.
    let q = axes.firstIndex { $0.dottedPath == probeReplicateSeedPath && $0.node.sweep == nil }
    var seen: [[Int]: Int] = [:]
    for i in points.indices {
        let key = choices[i].enumerated().filter { $0.offset != r && $0.offset != q }.map(\.element)
        let configuration = seen[key] ?? seen.count
        seen[key] = configuration
        points[i].configuration = configuration
        points[i].replicate = r.map { choices[i][$0] } ?? 0
        points[i].probeReplicate = q.map { choices[i][$0] } ?? 0
        points[i].replicatePath = r.map { axes[$0].dottedPath }
        points[i].probeReplicatePath = q.map { axes[$0].dottedPath }
    }
    return (r.map { axes[$0].dottedPath }, q.map { axes[$0].dottedPath })
}

extension ClaimScope {
    init(points: [RunPoint], axes: [SweepAxis]) {
        let replicates = [points.first?.replicatePath, points.first?.probeReplicatePath].compactMap { $0 }
        self.init(points: points, axes: axes.filter { !replicates.contains($0.dottedPath) }.map { axis in
            (axis.dottedPath, axis.values.map(SpecLoader.display))
        })
    }
}
