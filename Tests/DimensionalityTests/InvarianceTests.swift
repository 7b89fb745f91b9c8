import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

/// Every estimator depends only on the distances between the points (PR and PCA only on the
/// covariance spectrum), so rotations, translations and global scalings leave it unchanged.
@Suite("Invariance under rotation, translation and scaling")
struct InvarianceTests {
    static let specs = [
        "pr", "pca", "pca:standardize=false,variance=0.8", "twonn", "twonn:method=mle", "twonn:method=mle_all",
        "mle:k=10", "mle:k=10,average=mean", "local_pca:k=20", "local_pca:k=20,rule=fo", "corrdim:k1=5,k2=10",
    ]

    @Test("rigid motions and scaling change no estimate beyond round-off", arguments: [UInt64(21), 22])
    func invariance(_ seed: UInt64) throws {
        print("invariance test, seed \(seed)")
        let x = TestData.embeddedCube(n: 400, d: 4, ambient: 12, seed: seed)
        let q = TestData.orthogonal(12, seed: seed &+ 100)
        let variants: [(String, DoubleTensor)] = [
            ("rotated", TestData.transformed(x, rotation: q)),
            ("translated", TestData.transformed(x, rotation: nil, shift: 37.5)),
            ("scaled", TestData.transformed(x, rotation: nil, scale: 1e-3)),
            ("all three", TestData.transformed(x, rotation: q, shift: -4, scale: 250)),
        ]
        for spec in Self.specs {
            let estimator = try IDEstimator.parse(TestData.spec(spec, "resamples=0"))
            let original = try estimator.estimate(x).value
            for (name, y) in variants {
                let moved = try estimator.estimate(y).value
                #expect(TestSupport.close(moved, original, relative: 1e-9),
                        "\(spec) \(name): \(moved) vs \(original) (seed \(seed))")
            }
        }
    }

    @Test("standardised PCA is unchanged by scaling each column separately")
    func standardisedPCA() throws {
        let x = TestData.embeddedCube(n: 300, d: 3, ambient: 8, seed: 23)
        var y = x
        for i in 0..<y.rows { for c in 0..<y.columns { y[i, c] *= Double(c + 1) * 10 } }
        let standardised = try IDEstimator.named("pca", settings: ["standardize": "true", "variance": "0.95"])
        let before = try standardised.estimate(x).value
        let after = try standardised.estimate(y).value
        #expect(before == after, "\(before) vs \(after)")
    }
}
