import Tensors

/// Point sets with a known intrinsic dimension, embedded in a higher-dimensional space: the
/// ground truth for validating ID estimators, and small training tasks.
///
/// A sample is drawn in the manifold's own coordinates `x ∈ R^k`, mapped into `R^D` by a seeded
/// random isometry, and optionally blurred with isotropic Gaussian noise:
/// ```
/// y = x Qᵀ + σ ε,    Qᵀ ∈ R^{k×D} with orthonormal rows (see RandomIsometry),   ε ~ N(0, I_D)
/// ```
/// Benchmark manifolds in the spirit of Hein & Audibert (ICML 2005) and Campadelli et al.,
/// "Intrinsic dimension estimation: relevant techniques and a benchmark framework" (2015).
///
/// Labels (two classes) come from a seeded random hyperplane through the median:
/// ```
/// label(y) = [ w · (x Qᵀ) > θ ],   w ~ N(0, I_D),   θ = median of w · (x′ Qᵀ) over 4096 reference points x′
/// ```
/// computed on the noise-free point, so the label is a fixed function of the position on the
/// manifold shared by every part (train, test) of the same seed, and the classes are balanced
/// up to sampling error.
public enum SyntheticManifold {
    /// Points drawn for the median threshold of the labels.
    static let referenceCount = 4096

    /// One drawn point set with everything needed to check it.
    public struct Sample: Sendable {
        public var kind: Kind
        /// The embedded (and noisy) points, `[n, D]`.
        public var points: DoubleTensor
        /// The same points in the manifold's coordinates before embedding and noise, `[n, k]`.
        public var coordinates: DoubleTensor
        /// The isometry `Qᵀ`, `[k, D]`, orthonormal rows.
        public var isometry: DoubleTensor
        /// Class 0 or 1 of each point (see the type's documentation).
        public var labels: [Int]
        /// The canonical settings string (manifold, n, D, noise, seed, part).
        public var settings: String

        public var intrinsicDimension: Int { kind.intrinsicDimension }
        public var ambientDimension: Int { points.columns }
        public var count: Int { points.rows }

        /// SHA-256 of the points, the labels and the settings.
        public var fingerprint: String { Fingerprint.of([points], labels: [labels], settings: settings) }

        /// The points as a two-class Float32 training set (no image shape).
        public func labeledSet() -> LabeledSet {
            LabeledSet(inputs: points.converted(to: Float.self), labels: labels, classes: 2)
        }
    }

    /// Draws `count` points of `kind`, embedded in `R^ambientDimension`.
    ///
    /// Randomness is split by purpose, so changing one setting never shifts another's draws:
    /// `synthetic/isometry` and `synthetic/labels` depend on `seed` alone (shared by all parts),
    /// `synthetic/<part>/coordinates` and `synthetic/<part>/noise` on the seed and the part.
    ///
    /// - Parameters:
    ///   - ambientDimension: D ≥ k, the coordinate dimension of `kind` (d + 1 for a sphere).
    ///   - noise: σ ≥ 0, the standard deviation of the isotropic Gaussian noise per ambient axis.
    ///   - part: a name that separates independent draws of the same manifold, e.g. `train`, `test`.
    /// - Complexity: O(n·k·D) for the embedding.
    public static func sample(_ kind: Kind, count: Int, ambientDimension: Int, noise: Double = 0,
                              seed: UInt64, part: String = "train") throws -> Sample {
        try validate(kind, count: count, ambientDimension: ambientDimension, noise: noise)
        let k = kind.coordinateDimension
        var isometryRNG = RandomStream(seed: seed, path: "synthetic/isometry")
        let isometry = RandomIsometry.matrix(from: k, to: ambientDimension, rng: &isometryRNG)
        var coordinateRNG = RandomStream(seed: seed, path: "synthetic/\(part)/coordinates")
        let coordinates = kind.draw(count: count, rng: &coordinateRNG)
        let clean = RandomIsometry.apply(isometry, to: coordinates)
        let labels = labelsByHyperplane(clean, kind: kind, isometry: isometry, seed: seed)
        var points = clean
        if noise > 0 {
            var noiseRNG = RandomStream(seed: seed, path: "synthetic/\(part)/noise")
            for i in points.scalars.indices { points.scalars[i] += noise * noiseRNG.normal() }
        }
        let settings = Fingerprint.settings([
            "synthetic": kind.description, "n": String(count), "ambient": String(ambientDimension),
            "noise": "\(noise)", "seed": String(seed), "part": part,
        ])
        return Sample(kind: kind, points: points, coordinates: coordinates, isometry: isometry,
                      labels: labels, settings: settings)
    }

    /// Checks every parameter of a draw without drawing; the error names the manifold and the value.
    public static func validate(_ kind: Kind, count: Int, ambientDimension: Int, noise: Double = 0) throws {
        try kind.validate()
        let k = kind.coordinateDimension
        guard count >= 1 else { throw DatasetError.invalid("\(kind): cannot draw \(count) points; ask for at least 1") }
        guard ambientDimension >= k else {
            throw DatasetError.invalid("\(kind) is drawn in R^\(k); the ambient dimension \(ambientDimension) must be at least \(k)")
        }
        guard noise >= 0, noise.isFinite else {
            throw DatasetError.invalid("\(kind): noise is \(noise); it must be a finite standard deviation ≥ 0")
        }
    }

    /// A train/test pair of independent draws of the same embedded manifold, as Float32
    /// two-class sets, with the fingerprint of both.
    public static func prepared(_ kind: Kind, train: Int, test: Int, ambientDimension: Int,
                                noise: Double = 0, seed: UInt64) throws -> PreparedData {
        let a = try sample(kind, count: train, ambientDimension: ambientDimension, noise: noise, seed: seed, part: "train")
        let b = try sample(kind, count: test, ambientDimension: ambientDimension, noise: noise, seed: seed, part: "test")
        let sets = [a.labeledSet(), b.labeledSet()]
        return PreparedData(train: sets[0], test: sets[1],
                            fingerprint: Fingerprint.of(sets, settings: a.settings + "|" + b.settings),
                            source: "synthetic \(kind) in R^\(ambientDimension), noise \(noise), seed \(seed)")
    }

    /// `[w · y > θ]` for each clean embedded point `y`, with `w` and `θ` drawn from `seed` only.
    static func labelsByHyperplane(_ clean: DoubleTensor, kind: Kind, isometry: DoubleTensor, seed: UInt64) -> [Int] {
        let D = isometry.columns
        var rng = RandomStream(seed: seed, path: "synthetic/labels")
        let w = (0..<D).map { _ in rng.normal() }
        func project(_ y: DoubleTensor) -> [Double] {
            (0..<y.rows).map { i in
                var s = 0.0
                for t in 0..<D { s += w[t] * y.scalars[i * D + t] }
                return s
            }
        }
        let reference = RandomIsometry.apply(isometry, to: kind.draw(count: referenceCount, rng: &rng))
        let sorted = project(reference).sorted()
        let theta = (sorted[referenceCount / 2 - 1] + sorted[referenceCount / 2]) / 2
        return project(clean).map { $0 > theta ? 1 : 0 }
    }
}
