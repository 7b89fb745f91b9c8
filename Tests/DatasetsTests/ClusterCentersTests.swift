import Foundation
import Tensors
import Testing
@testable import Datasets

/// The centre distributions and class counts of the clustered task.
@Suite("Clustered task: centre distributions and classes")
struct ClusterCentersTests {
    /// The sample variance of every centre coordinate pooled, and the sample mean.
    static func moments(_ centers: DoubleTensor) -> (mean: Double, variance: Double) {
        let v = centers.scalars
        let mean = v.reduce(0, +) / Double(v.count)
        return (mean, v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1))
    }

    static func task(_ centers: ClusteredTask.Parameters.CenterDistribution, centerStd: Double = 1, classes: Int = 2,
                     clusters: Int = 200) throws -> ClusteredTask.Task {
        try ClusteredTask.generate(.init(ambientDimension: 50, clusters: clusters, clusterStd: 0.1, pointsPerCluster: 2,
                                         testPointsPerCluster: 1, centerStd: centerStd, centers: centers, classes: classes, seed: 9))
    }

    // 10,000 coordinates: the sample variance has relative standard error √(2/n) ≈ 1.4 % for a
    // Gaussian and √(0.8/n) ≈ 0.9 % for a uniform (excess kurtosis −1.2); 5 % is over 3.5 of them.
    @Test("uniform centres lie inside the hypercube with variance L²/12", arguments: [0.5, 2.0, 10.0])
    func uniform(_ side: Double) throws {
        let task = try Self.task(.uniform(side: side))
        #expect(task.centers.scalars.allSatisfy { abs($0) <= side / 2 })
        // They fill it: the extremes reach within 1 % of the faces.
        #expect(task.centers.scalars.max()! > 0.49 * side && task.centers.scalars.min()! < -0.49 * side)
        let (mean, variance) = Self.moments(task.centers)
        #expect(abs(variance / (side * side / 12) - 1) < 0.05, "variance \(variance), expected \(side * side / 12)")
        #expect(abs(mean) < 4 * side / 12.0.squareRoot() / 100)
        #expect(task.parameters.centerVariance == side * side / 12)
    }

    @Test("Gaussian centres have variance center_std² and are unbounded", arguments: [0.3, 1.0, 4.0])
    func gaussian(_ std: Double) throws {
        let task = try Self.task(.gaussian, centerStd: std)
        let (mean, variance) = Self.moments(task.centers)
        #expect(abs(variance / (std * std) - 1) < 0.05, "variance \(variance), expected \(std * std)")
        #expect(abs(mean) < 4 * std / 100)
        // A hypercube of side 2·std would hold only 68 % of the coordinates.
        let inside = task.centers.scalars.filter { abs($0) <= std }.count
        #expect(abs(Double(inside) / 10_000 - 0.6827) < 0.02)
    }

    @Test("clusters are dealt to K classes, balanced, and every point carries its cluster's class", arguments: [2, 3, 7, 200])
    func classes(_ k: Int) throws {
        let task = try Self.task(.uniform(side: 2), classes: k)
        let counts = (0..<k).map { c in task.classOfCluster.filter { $0 == c }.count }
        #expect(counts.allSatisfy { $0 == 200 / k || $0 == 200 / k + 1 }, "\(counts)")
        #expect(counts.reduce(0, +) == 200)
        #expect(task.train.labels == task.train.clusterOf.map { task.classOfCluster[$0] })
        let data = task.prepared()
        #expect(data.train.classes == k && data.test.classes == k)
    }

    @Test("the default task keeps its settings string, so existing fingerprints do not move")
    func defaultSettings() throws {
        let p = ClusteredTask.Parameters(ambientDimension: 50, clusters: 10, clusterStd: 0.1, pointsPerCluster: 20,
                                         testPointsPerCluster: 5, seed: 3)
        #expect(p.settings == "clusters=10|ambient=50|cluster_std=0.1|center_std=1.0|train_per_cluster=20|test_per_cluster=5|seed=3")
        var q = p
        q.centers = .uniform(side: 2)
        q.classes = 3
        #expect(q.settings == "clusters=10|ambient=50|cluster_std=0.1|centers=uniform|side=2.0|train_per_cluster=20|test_per_cluster=5|seed=3|classes=3")
    }

    @Test("bad settings are refused with a reason", arguments: [
        (ClusteredTask.Parameters.CenterDistribution.uniform(side: 0), 2, "hypercube side is 0.0"),
        (.uniform(side: .infinity), 2, "hypercube side is inf"),
        (.gaussian, 1, "1 classes for 10 clusters"),
        (.gaussian, 11, "11 classes for 10 clusters"),
    ])
    func invalid(_ c: (ClusteredTask.Parameters.CenterDistribution, Int, String)) {
        let p = ClusteredTask.Parameters(ambientDimension: 5, clusters: 10, clusterStd: 0.1, pointsPerCluster: 2,
                                         centers: c.0, classes: c.1, seed: 1)
        #expect { _ = try ClusteredTask.generate(p) } throws: { "\($0)".contains(c.2) }
    }
}
