import Tensors

/// Choosing `n` examples out of a split: the first n, a class-stratified sample, or a seeded
/// uniform sample.
public enum Subset {
    /// How the examples are chosen.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Indices `0..<n`, in file order (no randomness).
        case first
        /// `⌊n/K⌋` per class, one more for each of the lowest `n mod K` classes, each class
        /// sampled uniformly without replacement.
        case stratified
        /// `n` indices sampled uniformly without replacement.
        case random
    }

    /// Indices of `n` examples chosen by `method`, in ascending order.
    ///
    /// Random draws come from `rng` (one Fisher–Yates permutation of the whole split for
    /// `.random`, one per class, in class order, for `.stratified`), so the choice depends only
    /// on the stream and the labels.
    ///
    /// - Throws: `DatasetError.invalid` when `n` is negative or larger than the split, or when a
    ///   stratified subset needs more examples of a class than the split holds.
    public static func select(n: Int, labels: [Int], classes: Int, method: Method,
                              rng: inout RandomStream) throws -> [Int] {
        guard n >= 0 else { throw DatasetError.invalid("cannot select \(n) examples: the count must be ≥ 0") }
        guard n <= labels.count else {
            throw DatasetError.invalid("cannot select \(n) examples from a split of \(labels.count)")
        }
        switch method {
        case .first:
            return Array(0..<n)
        case .random:
            return rng.permutation(labels.count).prefix(n).sorted()
        case .stratified:
            guard classes > 0 else { throw DatasetError.invalid("a stratified subset needs at least one class") }
            var byClass = [[Int]](repeating: [], count: classes)
            for (i, y) in labels.enumerated() {
                guard y >= 0 && y < classes else {
                    throw DatasetError.invalid("label \(y) of example \(i) is outside 0..<\(classes)")
                }
                byClass[y].append(i)
            }
            var picked: [Int] = []
            picked.reserveCapacity(n)
            for c in 0..<classes {
                let share = n / classes + (c < n % classes ? 1 : 0)
                guard share <= byClass[c].count else {
                    throw DatasetError.invalid("a stratified subset of \(n) needs \(share) examples of class \(c), but the split has \(byClass[c].count); choose a smaller size or subset: random")
                }
                let order = rng.permutation(byClass[c].count)
                picked += order.prefix(share).map { byClass[c][$0] }
            }
            return picked.sorted()
        }
    }

    /// The subset of `set` chosen by ``select(n:labels:classes:method:rng:)``; the whole set
    /// (unchanged, no draws) when `n` is nil.
    public static func apply(_ n: Int?, to set: LabeledSet, method: Method,
                             rng: inout RandomStream) throws -> LabeledSet {
        guard let n else { return set }
        return set.subset(try select(n: n, labels: set.labels, classes: set.classes, method: method, rng: &rng))
    }
}
