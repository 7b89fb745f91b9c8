import Yams

/// The key path whose grid sweep numbers replicates: replicates differ only in the training seed.
let replicateSeedPath = "train.seed"

/// Top-level keys read once per spec rather than per run point; they are not sweepable.
let specLevelKeys = ["replicates", "claims"]

/// The sweep axes with the replicate axis added when the spec asks for `replicates: n` (n > 1).
///
/// Replicate r of n takes the training seed `train.seed + r` (r = 0 … n − 1), so replicate 0 keeps
/// the seed as written and `seed: 1, replicates: 3` trains with seeds 1, 2 and 3. Every stage
/// derives its own stream from that root seed through SplitMix64, so neighbouring seeds give
/// unrelated streams. The axis is the innermost one, so a configuration's replicates are
/// consecutive run points; with `replicates` absent or 1 nothing changes.
func withReplicates(_ axes: [SweepAxis], root: Node, ctx: DecodeContext) -> [SweepAxis] {
    for axis in axes where axis.stringPath.first.map(specLevelKeys.contains) == true {
        ctx.error(axis.node, axis.stringPath, "'\(axis.stringPath[0])' cannot be swept",
                  help: axis.stringPath[0] == "claims" ? "declare one claim per comparison instead"
                      : "write one replicate count; replicates are not configurations")
    }
    var top = MapReader(root, path: [], ctx: ctx)
    guard let node = top.child("replicates"), !isNull(node), node.sweep == nil else { return axes }
    let count = top.read("replicates", default: 1, in: 1...1000)
    guard count > 1 else { return axes }
    if let seedAxis = axes.first(where: { $0.dottedPath == replicateSeedPath }) {
        ctx.error(node, ["replicates"], "'replicates' cannot be combined with a sweep of 'train.seed'",
                  help: "each value of train.seed's sweep (line \(seedAxis.node.mark?.line ?? 0)) is already one replicate: drop 'replicates', or write one seed")
        return axes
    }
    var base: UInt64 = 0
    let t = MapReader(top.child("train"), path: ["train"], ctx: DecodeContext())
    if let seed = t.child("seed"), !isNull(seed) {
        // An invalid seed is reported by the point decoder; no replicates are added meanwhile.
        guard case .scalar(let s) = seed, let v = UInt64(s.string) else { return axes }
        base = v
    }
    guard base <= UInt64.max - UInt64(count - 1) else {
        ctx.error(node, ["replicates"], "\(count) replicates from seed \(base) run past the largest seed",
                  help: "use a smaller train.seed")
        return axes
    }
    let seeds = (0..<UInt64(count)).map { Node(String(base + $0)) }
    return axes + [SweepAxis(path: [.key("train"), .key("seed")], mode: .grid, values: seeds, node: node)]
}

/// Numbers each point's configuration and replicate; returns the replicate path, if any.
///
/// The replicate axis is a grid sweep of `train.seed` (written out, or made by `replicates:`):
/// a point's replicate index is the position of its seed in that sweep, and its configuration
/// is numbered by the first appearance of its other axes' values in point order. A spec with no
/// such sweep has one replicate per configuration and configuration = point index.
func numberReplicates(_ points: inout [RunPoint], choices: [[Int]], axes: [SweepAxis]) -> String? {
    let r = axes.firstIndex { $0.dottedPath == replicateSeedPath && $0.mode == .grid }
    var seen: [[Int]: Int] = [:]
    for i in points.indices {
        var key = choices[i]
        if let r { key.remove(at: r) }
        let configuration = seen[key] ?? seen.count
        seen[key] = configuration
        points[i].configuration = configuration
        points[i].replicate = r.map { choices[i][$0] } ?? 0
        points[i].replicatePath = r.map { axes[$0].dottedPath }
    }
    return r.map { axes[$0].dottedPath }
}

extension ClaimScope {
    init(points: [RunPoint], axes: [SweepAxis]) {
        let replicate = points.first?.replicatePath
        self.init(points: points, axes: axes.filter { $0.dottedPath != replicate }.map { axis in
            (axis.dottedPath, axis.values.map(SpecLoader.display))
        })
    }
}
