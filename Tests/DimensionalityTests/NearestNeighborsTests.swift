import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Exact k-nearest neighbours")
struct NearestNeighborsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var n: Int, d: Int, k: Int, blockSize: Int, seed: UInt64
        var testDescription: String { "N=\(n) D=\(d) k=\(k) block=\(blockSize) seed=\(seed)" }
    }

    static let cases: [Case] = [
        Case(n: 50, d: 3, k: 5, blockSize: 512, seed: 1),
        Case(n: 300, d: 20, k: 10, blockSize: 64, seed: 2),
        Case(n: 257, d: 7, k: 2, blockSize: 32, seed: 3),
        Case(n: 200, d: 100, k: 30, blockSize: 50, seed: 4),
        Case(n: 40, d: 2, k: 39, blockSize: 16, seed: 5),
    ]

    @Test("match brute force on data with exact duplicates and lattice ties", arguments: cases)
    func bruteForce(_ c: Case) throws {
        print("knn brute-force check, seed \(c.seed)")
        let x = TestData.withDuplicatesAndTies(n: c.n, d: c.d, seed: c.seed)
        let graph = try NearestNeighbors.search(x, k: c.k, blockSize: c.blockSize)
        let (distances, indices) = TestData.bruteForce(x, k: c.k)
        #expect(graph.count == c.n && graph.k == c.k)
        #expect(graph.duplicatePoints > 0, "the data hold duplicates (seed \(c.seed))")
        var mismatched = 0
        for e in 0..<distances.count where graph.distances[e] != distances[e] || graph.indices[e] != indices[e] {
            mismatched += 1
        }
        #expect(mismatched == 0, "\(mismatched) of \(distances.count) entries differ (seed \(c.seed))")
        for i in 0..<c.n {
            #expect(!graph.indices[(i * c.k)..<((i + 1) * c.k)].contains(Int32(i)), "point \(i) lists itself")
        }
        #expect(graph.distances.allSatisfy { $0 >= 0 })
        for i in stride(from: 0, to: c.n, by: 13) {
            let j = Int(graph.indices[i * c.k + c.k - 1])
            #expect(TestSupport.close(graph.distance(i, rank: c.k), TestData.naiveDistance(x, i, j), relative: 1e-14))
        }
    }

    struct FilterCase: CustomTestStringConvertible, Sendable {
        var rank: Int, dense: Double, threads: Int, k: Int, seed: UInt64
        var testDescription: String { "rank=\(rank) dense=\(dense) threads=\(threads) k=\(k) seed=\(seed)" }
    }

    static let filterCases: [FilterCase] = [
        FilterCase(rank: 6, dense: 0.15, threads: 1, k: 2, seed: 6),
        FilterCase(rank: 6, dense: 1.0, threads: 2, k: 7, seed: 7),
        FilterCase(rank: 3, dense: 0.0, threads: 1, k: 3, seed: 8),
        FilterCase(rank: 12, dense: 1.0, threads: 1, k: 20, seed: 9),
    ]

    @Test("the low-rank filter finds exactly the brute-force neighbours", arguments: filterCases)
    func filtered(_ c: FilterCase) throws {
        print("knn low-rank filter check, seed \(c.seed)")
        // A curved 3-manifold in 40-D plus small isotropic noise, with duplicates and lattice rows.
        var rng = RandomStream(seed: c.seed, path: "filtered")
        let q = TestData.orthogonal(40, seed: c.seed)
        var x = TestData.withDuplicatesAndTies(n: 700, d: 40, seed: c.seed)
        for i in 0..<700 where i % 7 != 3 && i % 11 != 5 {
            let a = rng.uniform() * 6, b = rng.uniform() * 6, h = rng.uniform()
            let z = [cos(a), sin(a), cos(b), sin(b), h]
            for col in 0..<40 {
                var v = 0.01 * rng.normal()
                for e in 0..<5 { v += z[e] * q[e * 40 + col] }
                x[i, col] = v
            }
        }
        var plan = NearestNeighbors.Plan(blockSize: 64)
        plan.rank = c.rank
        plan.minimumDimension = 8
        plan.minimumBlocks = 2
        plan.denseFraction = c.dense
        let graph = NearestNeighbors.search(PointRows(x), k: c.k, threads: c.threads, plan: plan)
        let (distances, indices) = TestData.bruteForce(x, k: c.k)
        #expect(graph.distances == distances, "seed \(c.seed)")
        #expect(graph.indices == indices, "seed \(c.seed)")
        #expect(graph.duplicatePoints > 0)
    }

    @Test("Float32 input gives the Float64 distances of the Float32 points")
    func floatInput() throws {
        var rng = RandomStream(seed: 11)
        let x: FloatTensor = rng.normalTensor(shape: [120, 9])
        let graph = try NearestNeighbors.search(x, k: 4, blockSize: 40)
        let reference = TestData.bruteForce(x.converted(to: Double.self), k: 4)
        #expect(graph.distances == reference.distances)
        #expect(graph.indices == reference.indices)
    }

    @Test("two workers give bit-identical neighbours to one")
    func threadsAgree() throws {
        var rng = RandomStream(seed: 12)
        let x: DoubleTensor = rng.normalTensor(shape: [700, 16])
        let one = try NearestNeighbors.search(x, k: 12, threads: 1, blockSize: 128)
        let two = try NearestNeighbors.search(x, k: 12, threads: 2, blockSize: 128)
        #expect(one == two)
    }

    @Test("points far from the origin and at tiny scales keep exact neighbours")
    func conditioning() throws {
        // Offsets of 1e6 and scales of 1e-20 break a naive Float32 ‖x‖² + ‖y‖² − 2x·y.
        var rng = RandomStream(seed: 13)
        let base: DoubleTensor = rng.normalTensor(shape: [150, 5])
        for (shift, scale) in [(1e6, 1.0), (0.0, 1e-20), (3.0, 1e30)] {
            let x = TestData.transformed(base, rotation: nil, shift: shift, scale: scale)
            let graph = try NearestNeighbors.search(x, k: 3, blockSize: 64)
            let reference = TestData.bruteForce(x, k: 3)
            #expect(graph.indices == reference.indices, "shift \(shift) scale \(scale)")
            #expect(graph.distances == reference.distances, "shift \(shift) scale \(scale)")
        }
    }

    @Test("a subset's neighbours read off the full graph equal a fresh search on the subset")
    func restricted() throws {
        let x = TestData.withDuplicatesAndTies(n: 240, d: 6, seed: 14)
        let rows = PointRows(x)
        var rng = RandomStream(seed: 14, path: "subset")
        // k = 6 of the full graph often leaves fewer than 4 members: the direct search path runs.
        let full = NearestNeighbors.search(rows, k: 6, threads: 1, blockSize: 64)
        for fraction in [0.9, 0.5, 0.2] {
            let members = rng.permutation(240).prefix(Int(240 * fraction)).sorted()
            let derived = full.restricted(to: members, k: 4, rows: rows)
            let fresh = try NearestNeighbors.search(x.gatherRows(members), k: 4)
            #expect(derived.distances == fresh.distances, "fraction \(fraction)")
            #expect(derived.indices == fresh.indices, "fraction \(fraction)")
        }
    }

    @Test("too few points and non-finite input are clear errors")
    func errors() {
        #expect(throws: EstimatorError.tooFewPoints(estimator: "knn", needed: 6, got: 5)) {
            try NearestNeighbors.search(DoubleTensor(shape: [5, 2], repeating: 1), k: 5)
        }
        var x = DoubleTensor(shape: [10, 3], repeating: 0)
        x[7, 2] = .infinity
        #expect(throws: EstimatorError.nonFinite(estimator: "knn", row: 7, column: 2)) {
            try NearestNeighbors.search(x, k: 2)
        }
    }
}
