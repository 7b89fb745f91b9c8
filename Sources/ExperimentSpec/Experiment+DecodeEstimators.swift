import EstimatorVocabulary
import Foundation
import Yams

/// Reads `estimators`: each present estimator's settings, typed and range-checked here so every
/// mistake is reported before the first epoch, then handed to the engine as text.
/// - Parameter classes: the dataset's number of classes when known, for the `per_class` check.
func decodeEstimators(_ top: inout MapReader, probeSize: Int, classes: Int?, ctx: DecodeContext) -> EstimatorsSpec {
    var e = top.nested("estimators")
    let sectionGiven = e.mapping != nil
    var out = EstimatorsSpec()
    typealias C = EstimatorCatalog

    /// The resampling settings of estimator `name`.
    func common(_ r: inout MapReader, _ name: String) -> EstimatorsSpec.Settings {
        guard let resamples = C.entry(name)?.resamples else { return [:] }
        var s: EstimatorsSpec.Settings = [:]
        s[resamples.key] = String(r.read(resamples))
        s[C.Common.resampleFraction.key] = readable(r.read(C.Common.resampleFraction))
        s[C.Common.blocks.key] = String(r.read(C.Common.blocks))
        return s
    }
    /// `rule` with its parameter. The variance rule is written as before rules could be chosen
    /// (`variance` alone), so estimate stages of earlier specs keep their keys.
    func spectrum(_ r: inout MapReader, _ s: inout EstimatorsSpec.Settings) {
        typealias S = C.Spectrum
        let rule = r.read(S.rule)
        let variance = r.read(S.variance), alpha = r.read(S.alpha)
        let (used, unused) = rule == S.varianceRule ? (S.variance.key, S.alpha.key) : (S.alpha.key, S.variance.key)
        if let n = r.child(unused) {
            ctx.error(n, r.path + [unused], "'\(dotted(r.path + [unused]))' does not apply to rule '\(rule)'",
                      help: "rule \(S.varianceRule) reads \(S.variance.key), rule \(S.foRule) reads \(S.alpha.key); remove \(unused) or change the rule")
        }
        if rule != S.varianceRule { s[S.rule.key] = rule }
        s[used] = readable(used == S.variance.key ? variance : alpha)
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
        guard r.read(C.Common.perClass) else { return }
        s[EstimatorsSpec.perClassKey] = "true"
        guard present.contains(name), let classes, classes > 0 else { return }
        let resamples = Int(s["resamples"] ?? "0") ?? 0
        let fraction = Double(s["resample_fraction"] ?? "1") ?? 1
        let needed = resamples > 0 ? pointsKeeping(needs, fraction: fraction) : needs
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
    var prSettings = common(&pr, "pr")
    perClass(&pr, &prSettings, name: "pr", needs: 2)
    pr.finish()
    if present.contains("pr") { out.pr = prSettings }

    var pca = e.nested("pca")
    var pcaSettings = common(&pca, "pca")
    spectrum(&pca, &pcaSettings)
    pcaSettings[C.PCA.standardize.key] = String(pca.read(C.PCA.standardize))
    perClass(&pca, &pcaSettings, name: "pca", needs: 2)
    pca.finish()
    if present.contains("pca") { out.pca = pcaSettings }

    var twonn = e.nested("twonn")
    var twonnSettings = common(&twonn, "twonn")
    twonnSettings[C.TwoNN.discardFraction.key] = readable(twonn.read(C.TwoNN.discardFraction))
    twonnSettings[C.TwoNN.method.key] = twonn.read(C.TwoNN.method)
    perClass(&twonn, &twonnSettings, name: "twonn", needs: 3)
    twonn.finish()
    if present.contains("twonn") { out.twonn = twonnSettings }

    var mle = e.nested("mle")
    var mleSettings = common(&mle, "mle")
    let k = mle.read(C.MLE.k)
    mleSettings[C.MLE.k.key] = String(k)
    mleSettings[C.MLE.average.key] = mle.read(C.MLE.average)
    if present.contains("mle") { needNeighbours(mle, C.MLE.k.key, k, name: "mle") }
    perClass(&mle, &mleSettings, name: "mle", needs: k + 1)
    mle.finish()
    if present.contains("mle") { out.mle = mleSettings }

    var local = e.nested("local_pca")
    var localSettings = common(&local, "local_pca")
    let lk = local.read(C.LocalPCA.k)
    localSettings[C.LocalPCA.k.key] = String(lk)
    spectrum(&local, &localSettings)
    if present.contains("local_pca") { needNeighbours(local, C.LocalPCA.k.key, lk, name: "local_pca") }
    perClass(&local, &localSettings, name: "local_pca", needs: lk + 1)
    local.finish()
    if present.contains("local_pca") { out.localPCA = localSettings }

    var corr = e.nested("corrdim")
    var corrSettings = common(&corr, "corrdim")
    let k1 = corr.read(C.CorrDim.k1)
    let k2 = corr.read(C.CorrDim.k2)
    // A k1 above the default k2 is as wrong as a k2 below k1: point at whichever was written.
    if k2 <= k1, let n = corr.child(C.CorrDim.k2.key) ?? corr.child(C.CorrDim.k1.key) {
        ctx.error(n, ["estimators", "corrdim", corr.has(C.CorrDim.k2.key) ? "k2" : "k1"],
                  "'estimators.corrdim.k2' (\(k2)) must be larger than k1 (\(k1))",
                  help: "the two scales are the k1-th and k2-th neighbour distances; e.g. k1: 10, k2: 20")
    }
    corrSettings[C.CorrDim.k1.key] = String(k1)
    corrSettings[C.CorrDim.k2.key] = String(k2)
    if present.contains("corrdim") { needNeighbours(corr, C.CorrDim.k2.key, k2, name: "corrdim") }
    perClass(&corr, &corrSettings, name: "corrdim", needs: k2 + 1)
    corr.finish()
    if present.contains("corrdim") { out.corrdim = corrSettings }

    var geometry = e.nested("class_geometry")
    let geometrySettings = common(&geometry, "class_geometry")
    noPerClass(&geometry, name: "class_geometry")
    geometry.finish()
    if present.contains("class_geometry") { out.classGeometry = geometrySettings }

    // The linear probe's error bar is its spread across folds: no resampling keys.
    typealias P = C.LinearProbe
    var probe = e.nested("linear_probe")
    var probeSettings = common(&probe, "linear_probe")
    let folds = probe.read(P.folds)
    probeSettings[P.folds.key] = String(folds)
    probeSettings[P.alpha.key] = probe.read(P.alpha, help: "use a ridge strength in \(P.alpha.range.text), or \(P.alpha.word) to choose it from 1e-3 … 1e3 by inner cross-validation")
    probeSettings[P.shuffle.key] = String(probe.read(P.shuffle))
    noPerClass(&probe, name: "linear_probe")
    if present.contains("linear_probe"), 2 * folds > probeSize, let n = probe.child(P.folds.key) ?? e.child("linear_probe") {
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

/// The fewest points n whose resamples, ⌊n·fraction⌋ points each (as the engine draws them),
/// keep `needs` of them; capped at 10¹⁵ for fractions too small to matter.
func pointsKeeping(_ needs: Int, fraction: Double) -> Int {
    let exact = Double(needs) / fraction
    guard exact < 1e15 else { return 1_000_000_000_000_000 }
    // ⌊n·f⌋ rises with n, and the first n to reach `needs` lies within rounding of needs / f.
    var n = max(needs, Int(exact) - 2)
    while Int(Double(n) * fraction) < needs { n += 1 }
    return n
}

func positive(_ value: Int, _ reader: MapReader, _ key: String) -> Int? {
    if value < 1 {
        reader.ctx.error(reader.child(key), reader.path + [key], "'\(dotted(reader.path + [key]))' is \(value), out of range",
                         help: "use a positive count, or omit it to use the whole split")
        return nil
    }
    return value
}
