import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import Dimensionality

@Suite("Estimators by name, settings, error bars and block analysis")
struct IDEstimatorTests {
    @Test("every registered name resolves, with its defaults spelled out")
    func names() throws {
        for name in IDEstimator.names {
            let e = try IDEstimator.named(name)
            #expect(e.name == name)
            #expect(try IDEstimator.named(name, settings: e.settings) == e, "\(name) settings round-trip")
        }
        #expect(try IDEstimator.named("mle").method == .mle(LevinaBickel.Settings(k: 20, average: .harmonic)))
        #expect(try IDEstimator.named("twonn").errorBars.resamples == 20)
        #expect(try IDEstimator.named("pca").settings == [
            "rule": "variance", "variance": "0.9", "standardize": "false",
            "resamples": "0", "resample_fraction": "0.9", "seed": "0", "blocks": "false",
        ])
    }

    @Test("the spec syntax name:key=value,… reads settings")
    func parse() throws {
        let e = try IDEstimator.parse(" mle:k=12, average=mean ,resamples=3,seed=9 ")
        #expect(e.method == .mle(LevinaBickel.Settings(k: 12, average: .mean)))
        #expect(e.errorBars == IDEstimator.ErrorBars(resamples: 3, fraction: 0.9, seed: 9, blocks: false))
        #expect(try IDEstimator.parse("twonn:method=mle_all").method == .twoNN(TwoNN.Settings(method: .mleAll)))
        #expect(try IDEstimator.parse("local_pca:rule=fo").method == .localPCA(LocalPCA.Settings(k: 100, rule: .fukunagaOlsen(0.05))))
    }

    static let badInputs: [(String, String)] = [
        ("mle:kk=5", "mle: unknown setting 'kk' (settings: k, average, resamples, resample_fraction, seed, blocks); did you mean 'k'?"),
        ("mle:k=many", "mle: setting 'k' must be an integer, got 'many'"),
        ("mle:k=1", "mle: k = 1 must be in [2, 10000]"),
        ("mle:average=geometric", "mle: setting 'average' must be one of harmonic, mean, got 'geometric'"),
        ("twonn:discard_fraction=1", "twonn: discard_fraction = 1 must be in [0, 0.9]"),
        ("twonn:method=fit", "twonn: setting 'method' must be one of linear, mle, mle_all, got 'fit'"),
        ("pca:variance=1.5", "pca: variance = 1.5 must be in (0, 1]"),
        ("pca:rule=fo,variance=0.9", "pca: setting 'variance' applies to rule=variance, not rule=fo"),
        ("pca:standardize=maybe", "pca: setting 'standardize' must be true or false, got 'maybe'"),
        ("corrdim:k1=20,k2=10", "corrdim: needs k1 < k2, got k1 = 20, k2 = 10"),
        ("local_pca:rule=fo,alpha=1", "local_pca: alpha = 1 must be in (0, 1)"),
        ("linear_probe:alpha=-1", "linear_probe: alpha = -1 must be in (0, 1e12]"),
        ("linear_probe:alpha=big", "linear_probe: setting 'alpha' must be a number in (0, 1e12] or cv, got 'big'"),
        ("pr:resample_fraction=1", "pr: resample_fraction = 1 must be in (0, 1)"),
        ("twonn:k", "twonn: setting 'k' is not key=value (write e.g. twonn:k=20)"),
        ("twonm", "unknown estimator 'twonm' (known: pr, pca, twonn, mle, local_pca, corrdim, class_geometry, linear_probe); did you mean 'twonn'?"),
    ]

    @Test("bad names and settings are rejected with a message that says what to write", arguments: badInputs)
    func rejects(_ spec: String, _ message: String) {
        do {
            _ = try IDEstimator.parse(spec)
            Issue.record("\(spec) was accepted")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test("resampled error bars are reproducible from the seed and change with it")
    func resampling() throws {
        let x = TestData.embeddedCube(n: 600, d: 3, ambient: 10, seed: 41)
        for spec in ["twonn", "mle:k=10", "pr", "corrdim:k1=5,k2=10"] {
            let a = try IDEstimator.parse(TestData.spec(spec, "resamples=6,seed=1")).estimate(x)
            let b = try IDEstimator.parse(TestData.spec(spec, "resamples=6,seed=1")).estimate(x)
            let c = try IDEstimator.parse(TestData.spec(spec, "resamples=6,seed=2")).estimate(x)
            #expect(a.resamples == 6)
            #expect(a.errorBar == b.errorBar && a.resampleMean == b.resampleMean, "\(spec)")
            #expect(a.resampleMean != c.resampleMean, "\(spec): seeds 1 and 2 drew the same subsets")
            let bar = try #require(a.errorBar)
            #expect(bar > 0 && bar < 0.2 * a.value, "\(spec): error bar \(bar) for value \(a.value)")
        }
    }

    @Test("resampled neighbour estimates equal the estimates on the same subsets")
    func resampleMatchesSubset() throws {
        let x = TestData.embeddedCube(n: 500, d: 4, ambient: 9, seed: 42)
        for spec in ["twonn", "mle:k=8"] {
            let e = try IDEstimator.parse(TestData.spec(spec, "resamples=2,resample_fraction=0.5,seed=5"))
            let r = try e.estimate(x)
            var rng = RandomStream(seed: 5, path: "\(e.name)/resample")
            var direct: [Double] = []
            for _ in 0..<2 {
                let members = rng.permutation(500).prefix(250).sorted()
                direct.append(try IDEstimator.parse(TestData.spec(spec, "resamples=0")).estimate(x.gatherRows(members)).value)
            }
            #expect(r.resampleMean == (direct[0] + direct[1]) / 2, "\(spec)")
            #expect(TestSupport.close(try #require(r.errorBar), abs(direct[0] - direct[1]) / 2.0.squareRoot(), relative: 1e-12))
        }
    }

    @Test("block analysis halves the sample size down to 20 points")
    func blocks() throws {
        let x = TestData.embeddedCube(n: 1000, d: 2, ambient: 5, seed: 43)
        let r = try IDEstimator.parse("twonn:blocks=true,resamples=0").estimate(x)
        #expect(r.blocks.map(\.size) == [1000, 500, 250, 125, 62, 31])
        #expect(r.blocks.map(\.blocks) == [1, 2, 4, 8, 16, 32])
        #expect(r.blocks[0].mean == r.value)
        for level in r.blocks {
            #expect(abs(level.mean - 2) < 0.6, "size \(level.size): \(level.mean)")
        }
        let mle = try IDEstimator.parse("mle:k=20,blocks=true,resamples=0").estimate(x)
        #expect(mle.blocks.last?.size == 31)
    }

    @Test("results encode to JSON with snake_case keys and no NaN")
    func json() throws {
        let x = TestData.embeddedCube(n: 200, d: 2, ambient: 4, seed: 44)
        let r = try IDEstimator.named("twonn", settings: ["resamples": "4"]).estimate(x)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any]
        #expect(object?["error_bar"] is Double)
        #expect(object?["resample_mean"] is Double)
        #expect((object?["settings"] as? [String: String])?["discard_fraction"] == "0.1")
        #expect(try JSONDecoder().decode(IDEstimate.self, from: JSONEncoder().encode(r)) == r)
    }
}
