/// The candidate nearest to `word` by edit distance (case-insensitive), if it is near enough to be
/// a plausible typo of it: within max(2, ⌊length / 3⌋) edits of a candidate of that length. The
/// spec decoder and the engine suggest names with it ("did you mean 'twonn'?").
public func nearestName(to word: String, among candidates: [String]) -> String? {
    var best: (name: String, distance: Int)?
    let w = word.lowercased()
    for c in candidates {
        let limit = max(2, c.count / 3)
        // The distance is at least the difference in length: skip the table when that is too far.
        guard abs(w.count - c.count) <= limit else { continue }
        let d = editDistance(w, c.lowercased())
        if d <= limit, d < (best?.distance ?? Int.max) { best = (c, d) }
    }
    return best?.name
}

/// Levenshtein distance between the Unicode scalars of `a` and `b`.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = prev
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
