import Foundation
import Tensors
import Testing
@testable import Datasets

@Suite("Clustered two-class task")
struct ClusteredTaskTests {
    static let parameters = ClusteredTask.Parameters(ambientDimension: 50, clusters: 10, clusterStd: 0.1,
                                                     pointsPerCluster: 20, testPointsPerCluster: 5, seed: 3)

    @Test("shapes follow the parameters and every label is its cluster's class")
    func shapes() throws {
        let task = try ClusteredTask.generate(Self.parameters)
        #expect(task.centers.shape == [10, 50])
        #expect(task.train.points.shape == [200, 50])
        #expect(task.test.points.shape == [50, 50])
        for sample in [task.train, task.test] {
            #expect(sample.labels == sample.clusterOf.map { task.classOfCluster[$0] })
            #expect(Set(sample.clusterOf) == Set(0..<10))
        }
        // Rows are shuffled, not grouped cluster by cluster.
        #expect(task.train.clusterOf != task.train.clusterOf.sorted())
        let data = task.prepared()
        #expect(data.train.inputs.shape == [200, 50])
        #expect(data.train.classes == 2)
        #expect(data.train.labels == task.train.labels)
    }

    @Test("half the clusters, and so half the points, are in each class", arguments: [2, 9, 10, 51])
    func balance(_ clusters: Int) throws {
        var p = Self.parameters
        p.clusters = clusters
        let task = try ClusteredTask.generate(p)
        let ones = task.classOfCluster.filter { $0 == 1 }.count
        #expect(ones == clusters / 2)
        #expect(task.train.labels.filter { $0 == 1 }.count == ones * p.pointsPerCluster)
        #expect(task.test.labels.filter { $0 == 0 }.count == (clusters - ones) * p.testPointsPerCluster)
    }

    @Test("points sit about σ√D from their own centre, far closer than to any other centre")
    func separation() throws {
        let task = try ClusteredTask.generate(Self.parameters)
        let D = 50
        var within: [Double] = []
        for i in 0..<task.train.points.rows {
            var distances: [Double] = []
            for j in 0..<10 {
                var s = 0.0
                for t in 0..<D {
                    let d = task.train.points.scalars[i * D + t] - task.centers.scalars[j * D + t]
                    s += d * d
                }
                distances.append(s.squareRoot())
            }
            let own = task.train.clusterOf[i]
            within.append(distances[own])
            #expect(distances.enumerated().allSatisfy { $0.offset == own || $0.element > 3 * distances[own] })
        }
        let mean = within.reduce(0, +) / Double(within.count)
        #expect(abs(mean - 0.1 * sqrt(Double(D))) < 0.1 * 0.1 * sqrt(Double(D)))
        let closest = (0..<10).flatMap { a in ((a + 1)..<10).map { Geometry.distance(task.centers, a, $0) } }.min() ?? 0
        #expect(closest > 5 * (within.max() ?? .infinity))
    }

    @Test("the same seed gives the same task; another seed another")
    func reproducible() throws {
        let a = try ClusteredTask.generate(Self.parameters)
        let b = try ClusteredTask.generate(Self.parameters)
        var p = Self.parameters
        p.seed = 4
        let c = try ClusteredTask.generate(p)
        #expect(a.train.points.scalars == b.train.points.scalars)
        #expect(a.prepared().fingerprint == b.prepared().fingerprint)
        #expect(a.centers.scalars != c.centers.scalars)
        #expect(a.prepared().fingerprint != c.prepared().fingerprint)
        // More test points change neither the centres nor the training points.
        var more = Self.parameters
        more.testPointsPerCluster = 9
        let d = try ClusteredTask.generate(more)
        #expect(d.train.points.scalars == a.train.points.scalars)
        #expect(d.prepared().fingerprint != a.prepared().fingerprint)
    }

    @Test("bad parameters are rejected with the value and the rule")
    func invalid() {
        var p = Self.parameters
        p.clusters = 1
        #expect(throws: DatasetError.invalid("clustered task: 1 cluster(s); at least 2 are needed so both classes occur")) {
            try ClusteredTask.generate(p)
        }
        p = Self.parameters
        p.clusterStd = -0.5
        #expect(throws: DatasetError.invalid("clustered task: cluster std is -0.5; it must be finite and ≥ 0")) {
            try ClusteredTask.generate(p)
        }
    }
}
