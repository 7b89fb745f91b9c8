import Tensors

/// The shuffled-label control: labels permuted among examples, so the label multiset (class
/// balance) is kept but its relation to the inputs is destroyed.
///
/// Zhang et al., "Understanding deep learning requires rethinking generalization", ICLR 2017.
/// Comparing the ID of networks trained on shuffled labels with those trained on true ones
/// separates what the representation learns from the task from what it learns from the inputs.
public enum LabelShuffle {
    /// Which splits get shuffled labels.
    public enum Target: String, Sendable, Hashable, Codable, CaseIterable {
        case none, train, test, both

        /// Whether `split` is shuffled under this target.
        public func includes(_ split: DataSplit) -> Bool {
            switch self {
            case .none: return false
            case .train: return split == .train
            case .test: return split == .test
            case .both: return true
            }
        }
    }

    /// `labels` with a seeded random fraction of them permuted among themselves.
    ///
    /// `m = round(fraction · n)` positions are drawn uniformly without replacement; their labels
    /// are permuted uniformly among those positions; every other label stays. `fraction = 1`
    /// permutes all labels: `y'_i = y_{π(i)}`.
    ///
    /// - Throws: `DatasetError.invalid` when `fraction` is outside [0, 1].
    public static func shuffled(_ labels: [Int], fraction: Double = 1, rng: inout RandomStream) throws -> [Int] {
        guard fraction >= 0, fraction <= 1 else {
            throw DatasetError.invalid("the fraction of shuffled labels is \(fraction); it must be in [0, 1]")
        }
        let n = labels.count
        let m = Int((fraction * Double(n)).rounded())
        let positions = m == n ? Array(0..<n) : rng.permutation(n).prefix(m).sorted()
        let order = rng.permutation(m)
        var out = labels
        for j in 0..<m { out[positions[j]] = labels[positions[order[j]]] }
        return out
    }

    /// The stream that shuffles `split`'s labels under `seed`: path `data/shuffle-labels/<split>`,
    /// so shuffling one split never changes the other's permutation.
    public static func stream(seed: UInt64, split: DataSplit) -> RandomStream {
        RandomStream(seed: seed, path: "data/shuffle-labels/\(split.rawValue)")
    }

    /// The splits with their labels shuffled as `target` says, each from its own seeded stream.
    public static func apply(_ target: Target, train: LabeledSet, test: LabeledSet, fraction: Double = 1,
                             seed: UInt64) throws -> (train: LabeledSet, test: LabeledSet) {
        var out = (train: train, test: test)
        if target.includes(.train) {
            var rng = stream(seed: seed, split: .train)
            out.train.labels = try shuffled(train.labels, fraction: fraction, rng: &rng)
        }
        if target.includes(.test) {
            var rng = stream(seed: seed, split: .test)
            out.test.labels = try shuffled(test.labels, fraction: fraction, rng: &rng)
        }
        return out
    }
}
