import Foundation
import Yams

public enum TwoNNMethod: String, Codable, Sendable, NodeEnum {
    case linear, mle
    case mleAll = "mle_all"
}

public enum MLEAverage: String, Codable, Sendable, NodeEnum {
    case harmonic, mean
}

/// The linear probe's ridge strength: a positive number, or `cv` to choose it by inner
/// cross-validation.
enum RidgeAlpha: NodeDecodable, Equatable {
    case value(Double)
    case crossValidated

    static var expected: String { "a positive number or 'cv'" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> RidgeAlpha? {
        if case .scalar(let s) = node, s.string == "cv" { return .crossValidated }
        if case .scalar(let s) = node, s.isUnquotedNumber, let v = Double(s.string), v.isFinite { return .value(v) }
        typeError(node, path, ctx)
        return nil
    }

    var text: String {
        switch self {
        case .crossValidated: return "cv"
        case .value(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        }
    }
}

/// Reads `estimators`: each present estimator's settings, typed and range-checked here so every
/// mistake is reported before the first epoch, then handed to the engine as text.
/// - Parameter classes: the dataset's number of classes when known, for the `per_class` check.
func decodeEstimators(_ top: inout MapReader, probeSize: Int, classes: Int?, ctx: DecodeContext) -> EstimatorsSpec {
    var e = top.nested("estimators")
    let sectionGiven = e.mapping != nil
    var out = EstimatorsSpec()
    func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }

    /// Resampling settings every estimator accepts.
    func common(_ r: inout MapReader, defaultResamples: Int) -> EstimatorsSpec.Settings {
        var s: EstimatorsSpec.Settings = [:]
        s["resamples"] = String(r.read("resamples", default: defaultResamples, in: 0...1000))
        s["resample_fraction"] = text(r.read("resample_fraction", default: 0.9, in: 0.01...0.99, rangeText: "[0.01, 0.99]"))
        s["blocks"] = String(r.read("blocks", default: false))
        return s
    }
    func needNeighbours(_ r: MapReader, _ key: String, _ k: Int, name: String) {
        if k + 1 >= probeSize {
            ctx.error(r.child(key), r.path + [key], "'\(dotted(r.path + [key]))' is \(k) but the probe set has only \(probeSize) points",
                      help: "use \(key) < \(probeSize - 1), or raise probe.size")
        }
    }

    let present = Set(EstimatorsSpec.order.filter { e.has($0) })

    /// `per_class`: entered in the settings only when true, so estimate stages without it keep
    /// their keys. The probe set is a random (not stratified) sample, so its class sizes are known
    /// only once it is drawn; but the smallest class of `probeSize` points in `classes` classes
    /// holds at most ⌊probeSize / classes⌋ of them, and when that is too few no draw can work.
    func perClass(_ r: inout MapReader, _ s: inout EstimatorsSpec.Settings, name: String, needs: Int) {
        guard r.read("per_class", default: false) else { return }
        s[EstimatorsSpec.perClassKey] = "true"
        guard present.contains(name), let classes, classes > 0 else { return }
        let resamples = Int(s["resamples"] ?? "0") ?? 0
        let fraction = Double(s["resample_fraction"] ?? "1") ?? 1
        var needed = needs
        if resamples > 0 { while Int(Double(needed) * fraction) < needs { needed += 1 } }
        let most = probeSize / classes
        if most < needed {
            let why = needed > needs
                ? "\(needed) points in every class (so that each resample, \(s["resample_fraction"] ?? "") of them, keeps \(needs))"
                : "\(needed) points in every class"
            ctx.error(r.child("per_class") ?? r.node, r.path + ["per_class"],
                      "'\(dotted(r.path + ["per_class"]))' needs \(why), but with \(probeSize) probe points in \(classes) classes the smallest class has at most \(most)",
                      help: "raise probe.size to at least \(needed * classes)" + (name == "mle" || name == "local_pca" || name == "corrdim" ? ", or lower the neighbour count" : "")
                            + (resamples > 0 ? ", or set resamples: 0" : ""))
        }
    }
    /// `per_class` on a task-relevance measure, which compares classes and has no per-class value.
    func noPerClass(_ r: inout MapReader, name: String) {
        guard r.has("per_class") else { return }
        r.accept("per_class")
        ctx.error(r.child("per_class") ?? r.node, r.path + ["per_class"],
                  "'\(dotted(r.path + ["per_class"]))' is not supported: \(name) measures how classes differ, which one class alone cannot show",
                  help: "per_class applies to the intrinsic-dimension estimators: " + EstimatorsSpec.perClassEstimators.joined(separator: ", "))
    }
    var pr = e.nested("pr")
    var prSettings = common(&pr, defaultResamples: 20)
    perClass(&pr, &prSettings, name: "pr", needs: 2)
    pr.finish()
    if present.contains("pr") { out.pr = prSettings }

    var pca = e.nested("pca")
    var pcaSettings = common(&pca, defaultResamples: 0)
    pcaSettings["variance"] = text(pca.read("variance", default: 0.9, in: 1e-6...1, rangeText: "(0, 1]"))
    pcaSettings["standardize"] = String(pca.read("standardize", default: false))
    perClass(&pca, &pcaSettings, name: "pca", needs: 2)
    pca.finish()
    if present.contains("pca") { out.pca = pcaSettings }

    var twonn = e.nested("twonn")
    var twonnSettings = common(&twonn, defaultResamples: 20)
    twonnSettings["discard_fraction"] = text(twonn.read("discard_fraction", default: 0.1, in: 0...0.9))
    twonnSettings["method"] = twonn.read("method", default: TwoNNMethod.linear).rawValue
    perClass(&twonn, &twonnSettings, name: "twonn", needs: 3)
    twonn.finish()
    if present.contains("twonn") { out.twonn = twonnSettings }

    var mle = e.nested("mle")
    var mleSettings = common(&mle, defaultResamples: 20)
    let k = mle.read("k", default: 20, in: 2...10000)
    mleSettings["k"] = String(k)
    mleSettings["average"] = mle.read("average", default: MLEAverage.harmonic).rawValue
    if present.contains("mle") { needNeighbours(mle, "k", k, name: "mle") }
    perClass(&mle, &mleSettings, name: "mle", needs: k + 1)
    mle.finish()
    if present.contains("mle") { out.mle = mleSettings }

    var local = e.nested("local_pca")
    var localSettings = common(&local, defaultResamples: 0)
    let lk = local.read("k", default: 100, in: 2...100_000)
    localSettings["k"] = String(lk)
    localSettings["variance"] = text(local.read("variance", default: 0.9, in: 1e-6...1, rangeText: "(0, 1]"))
    if present.contains("local_pca") { needNeighbours(local, "k", lk, name: "local_pca") }
    perClass(&local, &localSettings, name: "local_pca", needs: lk + 1)
    local.finish()
    if present.contains("local_pca") { out.localPCA = localSettings }

    var corr = e.nested("corrdim")
    var corrSettings = common(&corr, defaultResamples: 0)
    let k1 = corr.read("k1", default: 10, in: 1...100_000)
    let k2 = corr.read("k2", default: 20, in: 2...100_000)
    if k2 <= k1, let n = corr.child("k2") {
        ctx.error(n, ["estimators", "corrdim", "k2"], "'estimators.corrdim.k2' (\(k2)) must be larger than k1 (\(k1))",
                  help: "the two scales are the k1-th and k2-th neighbour distances; e.g. k1: 10, k2: 20")
    }
    corrSettings["k1"] = String(k1)
    corrSettings["k2"] = String(k2)
    if present.contains("corrdim") { needNeighbours(corr, "k2", k2, name: "corrdim") }
    perClass(&corr, &corrSettings, name: "corrdim", needs: k2 + 1)
    corr.finish()
    if present.contains("corrdim") { out.corrdim = corrSettings }

    var geometry = e.nested("class_geometry")
    let geometrySettings = common(&geometry, defaultResamples: 0)
    noPerClass(&geometry, name: "class_geometry")
    geometry.finish()
    if present.contains("class_geometry") { out.classGeometry = geometrySettings }

    // The linear probe's error bar is its spread across folds: no resampling keys.
    var probe = e.nested("linear_probe")
    var probeSettings: EstimatorsSpec.Settings = [:]
    let folds = probe.read("folds", default: 5, in: 2...100)
    probeSettings["folds"] = String(folds)
    var alpha = probe.read("alpha", default: RidgeAlpha.crossValidated)
    if case .value(let v) = alpha, !(v > 0 && v <= 1e12), let n = probe.child("alpha") {
        ctx.error(n, ["estimators", "linear_probe", "alpha"], "'estimators.linear_probe.alpha' is \(readable(v)), out of range",
                  help: "use a ridge strength in (0, 1e12], or cv to choose it from 1e-3 … 1e3 by inner cross-validation")
        alpha = .crossValidated
    }
    probeSettings["alpha"] = alpha.text
    probeSettings["shuffle"] = String(probe.read("shuffle", default: true))
    noPerClass(&probe, name: "linear_probe")
    if present.contains("linear_probe"), 2 * folds > probeSize, let n = probe.child("folds") ?? e.child("linear_probe") {
        ctx.error(n, ["estimators", "linear_probe", "folds"],
                  "linear_probe with \(folds) folds needs at least \(2 * folds) probe points, but the probe set has \(probeSize)",
                  help: "use folds ≤ \(max(2, probeSize / 2)), or raise probe.size")
    }
    probe.finish()
    if present.contains("linear_probe") { out.linearProbe = probeSettings }

    e.finish()
    if !sectionGiven {
        out.pr = prSettings
    } else if out.names.isEmpty && e.mapping?.isEmpty == true {
        ctx.error(e.node, ["estimators"], "'estimators' names no estimator",
                  help: "add one or more of: " + EstimatorsSpec.order.joined(separator: ", "))
    }
    return out
}

func positive(_ value: Int, _ reader: MapReader, _ key: String) -> Int? {
    if value < 1 {
        reader.ctx.error(reader.child(key), reader.path + [key], "'\(dotted(reader.path + [key]))' is \(value), out of range",
                         help: "use a positive count, or omit it to use the whole split")
        return nil
    }
    return value
}
