import Tensors

/// A fixed set of examples whose activations are probed: chosen once per dataset and shared by
/// every run point of a sweep, so their intrinsic-dimension estimates are made on the same
/// inputs and can be compared.
///
/// The choice depends only on the prepared data and the selection (split, size, stratification,
/// seed) — never on a run point's training seed, width, or anything else that is swept.
public enum ProbeSet {
    /// Which examples to probe.
    public struct Selection: Sendable, Hashable, Codable {
        /// The split the examples come from.
        public var split: DataSplit
        /// How many examples.
        public var size: Int
        /// Equal numbers per class (see ``Subset/Method/stratified``) instead of a uniform sample.
        public var stratified: Bool
        /// Seed of the selection stream (path `probe/select`).
        public var seed: UInt64

        public init(split: DataSplit = .test, size: Int, stratified: Bool = false, seed: UInt64 = 0) {
            self.split = split
            self.size = size
            self.stratified = stratified
            self.seed = seed
        }

        /// The canonical settings string that enters the probe set's fingerprint.
        public var settings: String {
            Fingerprint.settings(["probe": split.rawValue, "size": String(size),
                                  "stratified": String(stratified), "seed": String(seed)])
        }
    }

    /// A chosen probe set: the indices into its split, the rows, and their fingerprint.
    public struct Probe: Sendable {
        public var selection: Selection
        /// Ascending indices into the split.
        public var indices: [Int]
        public var set: LabeledSet
        /// SHA-256 of the rows, the selection and the fingerprint of the data they came from.
        public var fingerprint: String
    }

    /// Ascending indices of the probe examples among `labels`.
    ///
    /// A uniform selection is the first `size` entries of one Fisher–Yates permutation of the
    /// split drawn from `RandomStream(seed:, path: "probe/select")`, sorted; a stratified one
    /// draws per class from the same stream.
    public static func indices(_ selection: Selection, labels: [Int], classes: Int) throws -> [Int] {
        guard selection.size <= labels.count else {
            throw DatasetError.invalid("the probe set asks for \(selection.size) examples but the \(selection.split.rawValue) split has \(labels.count)")
        }
        var rng = RandomStream(seed: selection.seed, path: "probe/select")
        return try Subset.select(n: selection.size, labels: labels, classes: classes,
                                 method: selection.stratified ? .stratified : .random, rng: &rng)
    }

    /// The probe set `selection` describes, taken from `data`.
    public static func select(_ selection: Selection, from data: PreparedData) throws -> Probe {
        let pool = data[selection.split]
        let chosen = try indices(selection, labels: pool.labels, classes: pool.classes)
        let set = pool.subset(chosen)
        let fingerprint = Fingerprint.of([set], settings: selection.settings + "|data=" + data.fingerprint)
        return Probe(selection: selection, indices: chosen, set: set, fingerprint: fingerprint)
    }
}
