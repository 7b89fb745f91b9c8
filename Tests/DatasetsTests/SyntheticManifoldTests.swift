import Foundation
import Tensors
import Testing
@testable import Datasets

@Suite("Synthetic manifolds with known intrinsic dimension")
struct SyntheticManifoldTests {
    /// One manifold and what its construction promises: the coordinate dimension k, the ID, the
    /// numerical rank of the embedded points, and the participation ratio (nil: not promised).
    struct Case: Sendable, CustomTestStringConvertible {
        let kind: SyntheticManifold.Kind
        let k: Int
        let id: Int
        let rank: Int
        let pr: Double?
        var testDescription: String { kind.description }
    }

    static let cases: [Case] = [
        Case(kind: .hypercube(dimension: 5), k: 5, id: 5, rank: 5, pr: 5),
        Case(kind: .hypersphere(dimension: 3), k: 4, id: 3, rank: 4, pr: 4),
        Case(kind: .swissRoll(), k: 3, id: 2, rank: 3, pr: nil),
        Case(kind: .torus(), k: 3, id: 2, rank: 3, pr: nil),
        Case(kind: .flatTorus(dimension: 2), k: 4, id: 2, rank: 4, pr: 4),
        Case(kind: .gaussian(dimension: 4), k: 4, id: 4, rank: 4, pr: 4),
        Case(kind: .linearSubspace(scales: [3, 2, 1]), k: 3, id: 3, rank: 3, pr: 196.0 / 98.0),
        Case(kind: .momentCurve(degree: 4), k: 4, id: 1, rank: 4, pr: nil),
    ]

    @Test("embedded points have the promised shape, numerical rank and participation ratio", arguments: cases)
    func rankAndPR(_ c: Case) throws {
        let s = try SyntheticManifold.sample(c.kind, count: 3000, ambientDimension: 12, seed: 7)
        #expect(s.points.shape == [3000, 12])
        #expect(s.coordinates.shape == [3000, c.k])
        #expect(s.isometry.shape == [c.k, 12])
        #expect(s.intrinsicDimension == c.id)
        #expect(Geometry.numericalRank(s.points) == c.rank)
        // The isometry leaves the covariance spectrum, hence the PR, unchanged.
        let pr = Geometry.participationRatio(s.points)
        #expect(abs(pr - Geometry.participationRatio(s.coordinates)) < 1e-8 * pr)
        if let expected = c.pr {
            #expect(abs(pr - expected) < 0.03 * expected, "PR \(pr), expected ≈ \(expected)")
        }
    }

    @Test("points satisfy their manifold's equations before embedding")
    func onTheManifold() throws {
        let sphere = try SyntheticManifold.sample(.hypersphere(dimension: 6), count: 500, ambientDimension: 20, seed: 1)
        #expect((0..<500).allSatisfy { abs(Geometry.norm(sphere.coordinates, $0) - 1) < 1e-12 })
        let cube = try SyntheticManifold.sample(.hypercube(dimension: 3), count: 500, ambientDimension: 3, seed: 1)
        #expect(cube.coordinates.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
        let torus = try SyntheticManifold.sample(.torus(majorRadius: 3, minorRadius: 1), count: 500, ambientDimension: 5, seed: 1)
        for i in 0..<500 {
            let x = torus.coordinates.scalars[3 * i], y = torus.coordinates.scalars[3 * i + 1], z = torus.coordinates.scalars[3 * i + 2]
            let ring = ((x * x + y * y).squareRoot() - 3)
            #expect(abs(ring * ring + z * z - 1) < 1e-12)
        }
        let flat = try SyntheticManifold.sample(.flatTorus(dimension: 3), count: 200, ambientDimension: 6, seed: 1)
        for i in 0..<200 {
            for a in 0..<3 {
                let u = flat.coordinates.scalars[6 * i + 2 * a], v = flat.coordinates.scalars[6 * i + 2 * a + 1]
                #expect(abs(u * u + v * v - 1) < 1e-12)
            }
        }
        let curve = try SyntheticManifold.sample(.momentCurve(degree: 5), count: 200, ambientDimension: 8, seed: 1)
        for i in 0..<200 {
            let t = curve.coordinates.scalars[5 * i]
            #expect((0..<5).allSatisfy { abs(curve.coordinates.scalars[5 * i + $0] - pow(t, Double($0 + 1))) < 1e-12 })
        }
        let roll = try SyntheticManifold.sample(.swissRoll(height: 10), count: 200, ambientDimension: 3, seed: 1)
        for i in 0..<200 {
            let x = roll.coordinates.scalars[3 * i], y = roll.coordinates.scalars[3 * i + 1], z = roll.coordinates.scalars[3 * i + 2]
            let t = (x * x + z * z).squareRoot()
            #expect(t >= 1.5 * Double.pi - 1e-9 && t <= 4.5 * Double.pi + 1e-9 && y >= 0 && y < 10)
            #expect(abs(x - t * cos(t)) < 1e-9 && abs(z - t * sin(t)) < 1e-9)
        }
    }

    @Test("the embedding has orthonormal rows and preserves every pairwise distance")
    func isometry() throws {
        let s = try SyntheticManifold.sample(.swissRoll(), count: 200, ambientDimension: 40, seed: 3)
        let q = s.isometry
        for a in 0..<3 {
            for b in 0..<3 {
                let dot = (0..<40).reduce(0.0) { $0 + q.scalars[a * 40 + $1] * q.scalars[b * 40 + $1] }
                #expect(abs(dot - (a == b ? 1 : 0)) < 1e-12)
            }
        }
        for (i, j) in [(0, 1), (5, 150), (17, 199), (42, 43), (100, 7)] {
            let before = Geometry.distance(s.coordinates, i, j)
            let after = Geometry.distance(s.points, i, j)
            #expect(abs(before - after) < 1e-10 * max(before, 1), "pair (\(i), \(j))")
        }
    }

    @Test("the same seed gives the same bytes; another seed gives other bytes")
    func reproducible() throws {
        let kind = SyntheticManifold.Kind.hypersphere(dimension: 4)
        let a = try SyntheticManifold.sample(kind, count: 300, ambientDimension: 10, noise: 0.01, seed: 11)
        let b = try SyntheticManifold.sample(kind, count: 300, ambientDimension: 10, noise: 0.01, seed: 11)
        let c = try SyntheticManifold.sample(kind, count: 300, ambientDimension: 10, noise: 0.01, seed: 12)
        #expect(a.points.scalars == b.points.scalars)
        #expect(a.labels == b.labels)
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.points.scalars != c.points.scalars)
        #expect(a.isometry.scalars != c.isometry.scalars)
        #expect(a.fingerprint != c.fingerprint)
        #expect(a.fingerprint.count == 64)
    }

    @Test("train and test share the embedding and labelling but draw different points")
    func parts() throws {
        let kind = SyntheticManifold.Kind.gaussian(dimension: 3)
        let train = try SyntheticManifold.sample(kind, count: 100, ambientDimension: 6, seed: 2, part: "train")
        let test = try SyntheticManifold.sample(kind, count: 100, ambientDimension: 6, seed: 2, part: "test")
        #expect(train.isometry.scalars == test.isometry.scalars)
        #expect(train.coordinates.scalars != test.coordinates.scalars)
        let data = try SyntheticManifold.prepared(kind, train: 100, test: 40, ambientDimension: 6, seed: 2)
        #expect(data.train.inputs.shape == [100, 6])
        #expect(data.test.inputs.shape == [40, 6])
        #expect(data.train.inputs.scalars == train.points.scalars.map { Float($0) })
        #expect(data.train.imageShape == nil)
    }

    @Test("noise leaves the clean draw alone and fills every ambient direction")
    func noise() throws {
        let kind = SyntheticManifold.Kind.hypercube(dimension: 2)
        let clean = try SyntheticManifold.sample(kind, count: 2000, ambientDimension: 8, noise: 0, seed: 4)
        let noisy = try SyntheticManifold.sample(kind, count: 2000, ambientDimension: 8, noise: 0.05, seed: 4)
        #expect(clean.coordinates.scalars == noisy.coordinates.scalars)
        #expect(clean.labels == noisy.labels)
        #expect(Geometry.numericalRank(clean.points) == 2)
        #expect(Geometry.numericalRank(noisy.points) == 8)
        let residual = zip(noisy.points.scalars, clean.points.scalars).map { $0 - $1 }
        let std = (residual.reduce(0) { $0 + $1 * $1 } / Double(residual.count)).squareRoot()
        #expect(abs(std - 0.05) < 0.002)
    }

    @Test("labels from the random hyperplane are two roughly balanced classes, a fixed function of the point")
    func labels() throws {
        for kind in Self.cases.map(\.kind) {
            let s = try SyntheticManifold.sample(kind, count: 2000, ambientDimension: 10, seed: 9)
            let ones = s.labels.filter { $0 == 1 }.count
            #expect(s.labels.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(ones > 800 && ones < 1200, "\(kind): \(ones) of 2000 in class 1")
        }
        // A point drawn in both the train and test part of the same seed gets the same label:
        // labels depend only on the clean position.
        let a = try SyntheticManifold.sample(.gaussian(dimension: 2), count: 50, ambientDimension: 4, seed: 1, part: "p")
        let b = try SyntheticManifold.sample(.gaussian(dimension: 2), count: 50, ambientDimension: 4, noise: 1, seed: 1, part: "p")
        #expect(a.labels == b.labels)
    }

    @Test("impossible parameters are rejected with a message naming the manifold",
          arguments: [
            (SyntheticManifold.Kind.hypersphere(dimension: 9), 100, 9, 0.0,
             "hypersphere(d=9) is drawn in R^10; the ambient dimension 9 must be at least 10"),
            (.torus(majorRadius: 1, minorRadius: 2), 100, 3, 0.0,
             "torus(R=1.0,r=2.0): a ring torus needs majorRadius > minorRadius > 0"),
            (.hypercube(dimension: 0), 100, 3, 0.0, "hypercube(d=0): dimension is 0; it must be at least 1"),
            (.gaussian(dimension: 2), 0, 3, 0.0, "gaussian(d=2): cannot draw 0 points; ask for at least 1"),
            (.gaussian(dimension: 2), 10, 3, -1.0,
             "gaussian(d=2): noise is -1.0; it must be a finite standard deviation ≥ 0"),
            (.linearSubspace(scales: [1, 0]), 10, 3, 0.0,
             "linear-subspace(scales=1.0,0.0): every scale must be positive and finite"),
          ] as [(SyntheticManifold.Kind, Int, Int, Double, String)])
    func invalid(_ kind: SyntheticManifold.Kind, count: Int, ambient: Int, noise: Double, message: String) {
        #expect(throws: DatasetError.invalid(message)) {
            try SyntheticManifold.sample(kind, count: count, ambientDimension: ambient, noise: noise, seed: 0)
        }
    }
}
