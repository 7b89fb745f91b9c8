import Tensors

/// The clustered classification task of Farrell, Recanatesi et al.: many isotropic Gaussian
/// clusters in a high-dimensional space, each cluster randomly assigned to one of K classes.
///
/// ```
/// c_j ~ N(0, s_c² I_D)  or  c_j ~ U[−L/2, L/2]^D     j = 1…P   (cluster centres)
/// κ(j) ∈ {0, …, K−1}      a seeded balanced assignment: cluster π(i) gets class i mod K
/// x = c_j + σ ε,  ε ~ N(0, I_D)    label(x) = κ(j)
/// ```
/// Every coordinate of a centre has variance `v = s_c²` (Gaussian) or `v = L²/12` (uniform). In
/// high D the centres are nearly equidistant, `‖c_i − c_j‖ ≈ √(2Dv)`, and a point lies about
/// `σ √D` from its centre, so `σ / √v` sets how separated the clusters are. Because the
/// class of a cluster is arbitrary, the task is not linearly separable for many clusters, and a
/// network must first expand then compress its representation (Recanatesi, Farrell et al.,
/// arXiv:1906.00443, 2019; Farrell, Recanatesi et al., Nature Machine Intelligence 4, 2022).
public enum ClusteredTask {
    /// The task's settings.
    public struct Parameters: Sendable, Hashable, Codable {
        /// D, the dimension of the input space.
        public var ambientDimension: Int
        /// P, the number of clusters (at least 2, so both classes occur).
        public var clusters: Int
        /// σ, the standard deviation of each cluster along every axis.
        public var clusterStd: Double
        /// Training points drawn around each centre.
        public var pointsPerCluster: Int
        /// Test points drawn around each centre (the same centres and classes).
        public var testPointsPerCluster: Int
        /// s_c, the standard deviation of Gaussian centres along every axis (unused for uniform centres).
        public var centerStd: Double
        /// How the centres are drawn.
        public var centers: CenterDistribution
        /// K, the number of classes the clusters are dealt to (2 ≤ K ≤ P).
        public var classes: Int
        public var seed: UInt64

        /// The distribution of the cluster centres.
        public enum CenterDistribution: Sendable, Hashable, Codable {
            /// N(0, s_c² I), s_c = ``Parameters/centerStd``.
            case gaussian
            /// Uniform in the hypercube [−L/2, L/2]^D of side L.
            case uniform(side: Double)
        }

        public init(ambientDimension: Int, clusters: Int, clusterStd: Double, pointsPerCluster: Int,
                    testPointsPerCluster: Int? = nil, centerStd: Double = 1, centers: CenterDistribution = .gaussian,
                    classes: Int = 2, seed: UInt64) {
            self.ambientDimension = ambientDimension
            self.clusters = clusters
            self.clusterStd = clusterStd
            self.pointsPerCluster = pointsPerCluster
            self.testPointsPerCluster = testPointsPerCluster ?? pointsPerCluster
            self.centerStd = centerStd
            self.centers = centers
            self.classes = classes
            self.seed = seed
        }

        /// Variance of every coordinate of a centre: s_c², or L²/12 for uniform centres.
        public var centerVariance: Double {
            switch centers {
            case .gaussian: return centerStd * centerStd
            case .uniform(let side): return side * side / 12
            }
        }

        /// The canonical settings string that enters the fingerprint. Settings added later appear
        /// only when they differ from the original task (Gaussian centres, two classes), so
        /// existing fingerprints do not move.
        public var settings: String {
            var text: String
            switch centers {
            case .gaussian:
                text = Fingerprint.settings([
                    "clusters": String(clusters), "ambient": String(ambientDimension), "cluster_std": "\(clusterStd)",
                    "center_std": "\(centerStd)", "train_per_cluster": String(pointsPerCluster),
                    "test_per_cluster": String(testPointsPerCluster), "seed": String(seed),
                ])
            case .uniform(let side):
                text = Fingerprint.settings([
                    "clusters": String(clusters), "ambient": String(ambientDimension), "cluster_std": "\(clusterStd)",
                    "centers": "uniform", "side": "\(side)", "train_per_cluster": String(pointsPerCluster),
                    "test_per_cluster": String(testPointsPerCluster), "seed": String(seed),
                ])
            }
            if classes != 2 { text += "|" + Fingerprint.settings(["classes": String(classes)]) }
            return text
        }

        /// A short description of the centre distribution and classes, for data sources.
        var centerText: String {
            let c: String
            switch centers {
            case .gaussian: c = "centres N(0, \(centerStd)²)"
            case .uniform(let side): c = "centres U[−\(side / 2), \(side / 2)]^D"
            }
            return "\(c), \(classes) classes"
        }

        func validate() throws {
            func check(_ ok: Bool, _ message: String) throws {
                if !ok { throw DatasetError.invalid("clustered task: \(message)") }
            }
            try check(ambientDimension >= 1, "ambient dimension is \(ambientDimension); it must be at least 1")
            try check(clusters >= 2, "\(clusters) cluster(s); at least 2 are needed so both classes occur")
            try check(clusterStd >= 0 && clusterStd.isFinite, "cluster std is \(clusterStd); it must be finite and ≥ 0")
            try check(centerStd > 0 && centerStd.isFinite, "centre std is \(centerStd); it must be finite and > 0")
            if case .uniform(let side) = centers {
                try check(side > 0 && side.isFinite, "hypercube side is \(side); it must be finite and > 0")
            }
            try check(classes >= 2 && classes <= clusters, "\(classes) classes for \(clusters) clusters; use 2 ≤ classes ≤ clusters")
            try check(pointsPerCluster >= 1, "\(pointsPerCluster) training points per cluster; at least 1 is needed")
            try check(testPointsPerCluster >= 0, "\(testPointsPerCluster) test points per cluster; it must be ≥ 0")
        }
    }

    /// Points of one split, in a seeded random order.
    public struct Sample: Sendable {
        /// `[n, D]`, n = P × points per cluster.
        public var points: DoubleTensor
        /// Class of each point, in `0..<K`.
        public var labels: [Int]
        /// The cluster each point was drawn around, in `0..<P`.
        public var clusterOf: [Int]
    }

    /// A generated task: centres, the class of each cluster, and both splits.
    public struct Task: Sendable {
        public var parameters: Parameters
        /// `[P, D]`.
        public var centers: DoubleTensor
        /// κ(j), the class of cluster j.
        public var classOfCluster: [Int]
        public var train: Sample
        public var test: Sample

        /// Both splits as Float32 K-class sets, fingerprinted.
        public func prepared() -> PreparedData {
            let sets = [train, test].map {
                LabeledSet(inputs: $0.points.converted(to: Float.self), labels: $0.labels, classes: parameters.classes)
            }
            return PreparedData(train: sets[0], test: sets[1],
                                fingerprint: Fingerprint.of(sets, settings: parameters.settings),
                                source: "clustered task: \(parameters.clusters) clusters in R^\(parameters.ambientDimension), σ \(parameters.clusterStd), \(parameters.centerText), seed \(parameters.seed)")
        }
    }

    /// Generates the task. Streams: `clusters/centers`, `clusters/classes`, and per split
    /// `clusters/<split>/points` and `clusters/<split>/order`.
    ///
    /// - Complexity: O(P·m·D) for m points per cluster.
    public static func generate(_ parameters: Parameters) throws -> Task {
        try parameters.validate()
        let p = parameters
        var centerRNG = RandomStream(seed: p.seed, path: "clusters/centers")
        let centers: DoubleTensor
        switch p.centers {
        case .gaussian:
            centers = centerRNG.normalTensor(shape: [p.clusters, p.ambientDimension], std: p.centerStd)
        case .uniform(let side):
            centers = centerRNG.uniformTensor(shape: [p.clusters, p.ambientDimension], low: -side / 2, high: side / 2)
        }
        var classRNG = RandomStream(seed: p.seed, path: "clusters/classes")
        var classOfCluster = [Int](repeating: 0, count: p.clusters)
        for (j, cluster) in classRNG.permutation(p.clusters).enumerated() { classOfCluster[cluster] = j % p.classes }
        func draw(_ split: DataSplit, perCluster m: Int) -> Sample {
            let D = p.ambientDimension
            var pointRNG = RandomStream(seed: p.seed, path: "clusters/\(split.rawValue)/points")
            var orderRNG = RandomStream(seed: p.seed, path: "clusters/\(split.rawValue)/order")
            let n = p.clusters * m
            let order = orderRNG.permutation(n)
            var points = [Double](repeating: 0, count: n * D)
            var clusterOf = [Int](repeating: 0, count: n)
            // Draw cluster by cluster, then place each point at its shuffled row.
            for j in 0..<p.clusters {
                for r in 0..<m {
                    let row = order[j * m + r]
                    clusterOf[row] = j
                    for t in 0..<D { points[row * D + t] = centers.scalars[j * D + t] + p.clusterStd * pointRNG.normal() }
                }
            }
            return Sample(points: DoubleTensor(shape: [n, D], scalars: points),
                          labels: clusterOf.map { classOfCluster[$0] }, clusterOf: clusterOf)
        }
        return Task(parameters: p, centers: centers, classOfCluster: classOfCluster,
                    train: draw(.train, perCluster: p.pointsPerCluster),
                    test: draw(.test, perCluster: p.testPointsPerCluster))
    }
}
