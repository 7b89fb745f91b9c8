import Foundation
import Testing
import Tensors
@testable import Dimensionality

/// Known answers, invariances and edge cases of `class_geometry` and `linear_probe`.
@Suite("Task-relevance measures: known answers and edge cases")
struct TaskRelevanceTests {
    /// `classes` Gaussian classes of `perClass` points in `d` dimensions, class means `separation`
    /// apart along distinct axes, interleaved (labels 0, 1, …, 0, 1, …).
    static func blobs(classes: Int, perClass: Int, d: Int, separation: Double, noise: Double, seed: UInt64) -> (DoubleTensor, [Int]) {
        var rng = RandomStream(seed: seed, path: "blobs")
        let n = classes * perClass
        var x = DoubleTensor(shape: [n, d])
        var labels: [Int] = []
        for i in 0..<n {
            let c = i % classes
            labels.append(c)
            for j in 0..<d { x[i, j] = noise * rng.normal() + (j == c ? separation : 0) }
        }
        return (x, labels)
    }

    @Test("linearly separable classes: linear_probe accuracy 1 at every fold, class_geometry near 1")
    func separable() throws {
        let (x, y) = Self.blobs(classes: 3, perClass: 40, d: 10, separation: 10, noise: 0.5, seed: 1)
        let probe = try IDEstimator.named("linear_probe").estimate(x, labels: y)
        #expect(probe.value == 1)
        #expect(probe.errorBar == 0)
        let geometry = try IDEstimator.named("class_geometry").estimate(x, labels: y)
        #expect(geometry.value > 0.9 && geometry.value <= 1, "\(geometry.value)")
    }

    @Test("labels independent of the data: accuracy near chance, class_geometry near (C − 1)/(N − 1)")
    func chance() throws {
        var rng = RandomStream(seed: 7, path: "isotropic")
        let n = 400, d = 20, classes = 4
        let x: DoubleTensor = rng.normalTensor(shape: [n, d])
        let y = rng.permutation(n).map { $0 % classes }
        let probe = try IDEstimator.named("linear_probe").estimate(x, labels: y)
        #expect(probe.value > 0.12 && probe.value < 0.40, "chance is 0.25, got \(probe.value)")
        let geometry = try IDEstimator.named("class_geometry").estimate(x, labels: y).value
        let expected = Double(classes - 1) / Double(n - 1)
        #expect(geometry > 0 && geometry < 4 * expected, "\(geometry) vs (C − 1)/(N − 1) = \(expected)")
    }

    @Test("points on their class means give class_geometry exactly 1; one class gives 0")
    func exactValues() throws {
        var x = DoubleTensor(shape: [30, 5])
        let y = (0..<30).map { $0 % 3 }
        for i in 0..<30 { for j in 0..<5 { x[i, j] = Double((y[i] + 1) * (j + 2)) } }
        #expect(try IDEstimator.named("class_geometry").estimate(x, labels: y).value == 1)
        let (noisy, _) = Self.blobs(classes: 2, perClass: 10, d: 4, separation: 3, noise: 1, seed: 2)
        #expect(try IDEstimator.named("class_geometry").estimate(noisy, labels: Array(repeating: 5, count: 20)).value == 0)
    }

    @Test("class_geometry is invariant under rotation, translation and scale")
    func invariance() throws {
        let (x, y) = Self.blobs(classes: 4, perClass: 25, d: 6, separation: 2, noise: 1, seed: 3)
        let q = TestData.orthogonal(6, seed: 4)
        var moved = DoubleTensor(shape: [100, 6])
        for i in 0..<100 {
            for c in 0..<6 {
                var s = 0.0
                for a in 0..<6 { s += x[i, a] * q[a * 6 + c] }
                moved[i, c] = 37.5 * s + Double(c) * 1000
            }
        }
        let a = try IDEstimator.named("class_geometry").estimate(x, labels: y).value
        let b = try IDEstimator.named("class_geometry").estimate(moved, labels: y).value
        #expect(abs(a - b) <= 1e-9 * a, "\(a) vs \(b)")
    }

    @Test("linear_probe is deterministic for a seed and unchanged by a power-of-two scale")
    func determinism() throws {
        let (x, y) = Self.blobs(classes: 3, perClass: 30, d: 8, separation: 1.5, noise: 1, seed: 5)
        let e = try IDEstimator.named("linear_probe", settings: ["seed": "11"])
        let first = try e.estimate(x, labels: y), again = try e.estimate(x, labels: y)
        #expect(first.value == again.value && first.errorBar == again.errorBar && first.flavour == again.flavour)
        let scaled = DoubleTensor(shape: x.shape, scalars: x.scalars.map { $0 * 1024 })
        #expect(try e.estimate(scaled, labels: y).value == first.value)
        #expect(first.flavour.contains("α per fold"))
        #expect(first.value >= 0 && first.value <= 1)
    }

    @Test("both the dual (d > n) and the primal (n ≥ d) solutions satisfy the ridge optimality conditions", arguments: [24, 36])
    func optimality(_ rows: Int) throws {
        let (x, y) = Self.blobs(classes: 3, perClass: 12, d: 30, separation: 2, noise: 1, seed: 6)
        let data = RidgeData(x.scalars, columns: 30, rows: Array(0..<rows), labels: y)
        let alpha = 0.5
        let model = RidgeClassifier.fit(data, alphas: [alpha])[0]
        let (mean, scale) = RidgeClassifier.standardization(data)
        var z = data.x
        for i in 0..<rows { for j in 0..<30 { z[i * 30 + j] = (z[i * 30 + j] - mean[j]) / scale[j] } }
        // At the minimum of ‖Z W + 1bᵀ − Y‖² + α‖W‖²: residuals sum to 0 (b) and Zᵀr + αw = 0 (W).
        let c = model.classes.count
        var worst = 0.0
        for k in 0..<c {
            var residual = [Double](repeating: 0, count: rows)
            for i in 0..<rows {
                var s = model.intercept[k]
                for j in 0..<30 { s += z[i * 30 + j] * model.weights[j * c + k] }
                residual[i] = s - (y[i] == model.classes[k] ? 1 : -1)
            }
            #expect(abs(residual.reduce(0, +)) < 1e-9, "residuals of class \(k) sum to \(residual.reduce(0, +))")
            for j in 0..<30 {
                var g = alpha * model.weights[j * c + k]
                for i in 0..<rows { g += z[i * 30 + j] * residual[i] }
                worst = max(worst, abs(g))
            }
        }
        #expect(worst < 1e-9, "largest gradient component \(worst)")
    }

    @Test("missing or mismatched labels, one class and bad settings are clear errors", arguments: [
        ("no labels", "linear_probe", [String: String](), -1, "linear_probe needs the class label of every point: none were given"),
        ("too few labels", "class_geometry", [:], 10, "class_geometry needs the class label of every point: 10 labels for 60 points"),
        ("one class", "linear_probe", [:], 0, "linear_probe is undefined on this input: every point has the same label, so there is nothing to classify"),
        ("one fold", "linear_probe", ["folds": "1"], 60, "linear_probe: folds = 1 must be in [2, 100]"),
        ("negative alpha", "linear_probe", ["alpha": "-1"], 60, "linear_probe: alpha = -1 must be in (0, 1e12]"),
        ("alpha not a number", "linear_probe", ["alpha": "big"], 60, "linear_probe: setting 'alpha' must be a number in (0, 1e12] or cv, got 'big'"),
        ("resampling the probe", "linear_probe", ["resamples": "5"], 60,
         "linear_probe: unknown setting 'resamples' (settings: folds, alpha, shuffle, seed)"),
        ("more folds than points allow", "linear_probe", ["folds": "40"], 60, "linear_probe needs at least 80 points, got 60"),
    ])
    func errors(_ id: String, _ name: String, _ settings: [String: String], _ labelCount: Int, _ message: String) throws {
        let (x, _) = Self.blobs(classes: 3, perClass: 20, d: 4, separation: 2, noise: 1, seed: 8)
        let labels: [Int]? = labelCount < 0 ? nil : (labelCount == 0 ? Array(repeating: 1, count: 60) : (0..<labelCount).map { $0 % 3 })
        do {
            _ = try IDEstimator.named(name, settings: settings).estimate(x, labels: labels)
            Issue.record("\(id): no error")
        } catch {
            #expect("\(error)" == message, "\(id)")
        }
    }

    @Test("settings round-trip through their text form; other estimators ignore labels")
    func settingsRoundTrip() throws {
        for text in ["linear_probe", "linear_probe:folds=3,alpha=0.5,shuffle=false,seed=9", "class_geometry:resamples=4"] {
            let e = try IDEstimator.parse(text)
            #expect(try IDEstimator.named(e.name, settings: e.settings) == e, "\(text)")
            #expect(e.needsLabels)
        }
        let pr = try IDEstimator.named("pr")
        #expect(!pr.needsLabels)
        let (x, y) = Self.blobs(classes: 2, perClass: 10, d: 4, separation: 2, noise: 1, seed: 9)
        #expect(try pr.estimate(x, labels: y).value == pr.estimate(x).value)
        // Resampled class geometry: the error bar is the spread over labelled subsets.
        let resampled = try IDEstimator.parse("class_geometry:resamples=8").estimate(x, labels: y)
        #expect(resampled.resamples == 8 && (resampled.errorBar ?? -1) > 0)
    }
}
