import Foundation

extension IDEstimator {
    /// The estimator called `name` with `settings` (text values, e.g. `["k": "20"]`); settings
    /// not given take their defaults.
    ///
    /// Throws ``EstimatorError/unknownEstimator(name:known:)`` for an unknown name and
    /// ``EstimatorError/invalidSetting(estimator:message:)`` for an unknown key or a bad value.
    public static func named(_ name: String, settings: [String: String] = [:]) throws -> IDEstimator {
        var r = SettingsReader(estimator: name, values: settings)
        let method: Method
        switch name {
        case ParticipationRatio.name:
            method = .participationRatio
        case PCAVariance.name:
            method = .pca(PCAVariance.Settings(rule: try r.spectrumRule(), standardize: try r.bool("standardize", false)))
        case TwoNN.name:
            let s = TwoNN.Settings(discardFraction: try r.double("discard_fraction", 0.1),
                                   method: try r.choice("method", TwoNN.Method.linear))
            guard s.discardFraction >= 0, s.discardFraction < 1 else {
                throw r.bad("discard_fraction = \(formatNumber(s.discardFraction)) must be in [0, 1)")
            }
            method = .twoNN(s)
        case LevinaBickel.name:
            let s = LevinaBickel.Settings(k: try r.int("k", 20), average: try r.choice("average", LevinaBickel.Average.harmonic))
            guard s.k >= 2 else { throw r.bad("k = \(s.k) must be at least 2") }
            method = .mle(s)
        case LocalPCA.name:
            let s = LocalPCA.Settings(k: try r.int("k", 100), rule: try r.spectrumRule())
            guard s.k >= 2 else { throw r.bad("k = \(s.k) must be at least 2") }
            method = .localPCA(s)
        case CorrelationDimension.name:
            let s = CorrelationDimension.Settings(k1: try r.int("k1", 10), k2: try r.int("k2", 20))
            guard s.k1 >= 1, s.k2 > s.k1 else { throw r.bad("needs 1 ≤ k1 < k2, got k1 = \(s.k1), k2 = \(s.k2)") }
            method = .correlationDimension(s)
        case ClassGeometry.name:
            method = .classGeometry
        case LinearProbe.name:
            return try linearProbe(&r)
        default:
            throw EstimatorError.unknownEstimator(name: name, known: names)
        }
        let bars = ErrorBars(resamples: try r.int("resamples", defaultResamples(method)),
                             fraction: try r.double("resample_fraction", 0.9),
                             seed: try r.seed("seed"),
                             blocks: try r.bool("blocks", false))
        guard bars.resamples >= 0 else { throw r.bad("resamples = \(bars.resamples) must not be negative") }
        guard bars.fraction > 0, bars.fraction < 1 else {
            throw r.bad("resample_fraction = \(formatNumber(bars.fraction)) must be in (0, 1)")
        }
        try r.finish()
        return IDEstimator(method, errorBars: bars)
    }

    /// `linear_probe` with `folds`, `alpha` (a number or `cv`), `shuffle` and `seed`.
    private static func linearProbe(_ r: inout SettingsReader) throws -> IDEstimator {
        let folds = try r.int("folds", 5)
        guard folds >= 2, folds <= 100 else { throw r.bad("folds = \(folds) must be in 2...100") }
        var alpha = LinearProbe.Alpha.crossValidated
        let alphaText = try r.text("alpha")
        if let alphaText, alphaText != "cv" {
            guard let a = Double(alphaText), a.isFinite else {
                throw r.bad("setting 'alpha' must be a positive number or cv, got '\(alphaText)'")
            }
            guard a > 0 else { throw r.bad("alpha = \(formatNumber(a)) must be positive") }
            alpha = .fixed(a)
        }
        let settings = LinearProbe.Settings(folds: folds, alpha: alpha, shuffle: try r.bool("shuffle", true))
        let seed = try r.seed("seed")
        try r.finish()
        return IDEstimator(.linearProbe(settings), errorBars: ErrorBars(resamples: 0, seed: seed))
    }

    /// An estimator written as `name` or `name:key=value,key=value`, e.g. `mle:k=20,average=mean`.
    public static func parse(_ text: String) throws -> IDEstimator {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":") else { return try named(trimmed) }
        let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
        var settings: [String: String] = [:]
        for item in trimmed[trimmed.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw EstimatorError.invalidSetting(estimator: name, message: "setting '\(item)' is not key=value (write e.g. \(name):k=20)")
            }
            guard settings[parts[0]] == nil else {
                throw EstimatorError.invalidSetting(estimator: name, message: "setting '\(parts[0])' is given twice")
            }
            settings[parts[0]] = parts[1]
        }
        return try named(name, settings: settings)
    }

    /// Every setting with defaults filled in, as text that ``named(_:settings:)`` reads back.
    public var settings: [String: String] {
        var out: [String: String] = [:]
        func rule(_ r: SpectrumRule) {
            switch r {
            case .variance(let f): out["rule"] = "variance"; out["variance"] = formatNumber(f)
            case .fukunagaOlsen(let a): out["rule"] = "fo"; out["alpha"] = formatNumber(a)
            }
        }
        switch method {
        case .participationRatio: break
        case .pca(let s): rule(s.rule); out["standardize"] = String(s.standardize)
        case .twoNN(let s): out["discard_fraction"] = formatNumber(s.discardFraction); out["method"] = s.method.rawValue
        case .mle(let s): out["k"] = String(s.k); out["average"] = s.average.rawValue
        case .localPCA(let s): out["k"] = String(s.k); rule(s.rule)
        case .correlationDimension(let s): out["k1"] = String(s.k1); out["k2"] = String(s.k2)
        case .classGeometry: break
        case .linearProbe(let s):
            // The error bar comes from the folds: no resampling settings.
            return ["folds": String(s.folds), "alpha": s.alphaText, "shuffle": String(s.shuffle), "seed": String(errorBars.seed)]
        }
        out["resamples"] = String(errorBars.resamples)
        out["resample_fraction"] = formatNumber(errorBars.fraction)
        out["seed"] = String(errorBars.seed)
        out["blocks"] = String(errorBars.blocks)
        return out
    }
}

/// Reads text settings one key at a time and reports what is left over.
struct SettingsReader {
    let estimator: String
    var values: [String: String]
    private var known: [String] = []

    init(estimator: String, values: [String: String]) {
        self.estimator = estimator
        self.values = values
    }

    func bad(_ message: String) -> EstimatorError {
        .invalidSetting(estimator: estimator, message: message)
    }

    private mutating func take(_ key: String) -> String? {
        known.append(key)
        return values.removeValue(forKey: key)
    }

    mutating func text(_ key: String) throws -> String? { take(key) }

    mutating func double(_ key: String, _ fallback: Double) throws -> Double {
        guard let text = take(key) else { return fallback }
        guard let v = Double(text), v.isFinite else { throw bad("setting '\(key)' must be a number, got '\(text)'") }
        return v
    }

    mutating func int(_ key: String, _ fallback: Int) throws -> Int {
        guard let text = take(key) else { return fallback }
        guard let v = Int(text) else { throw bad("setting '\(key)' must be an integer, got '\(text)'") }
        return v
    }

    mutating func seed(_ key: String) throws -> UInt64 {
        guard let text = take(key) else { return 0 }
        guard let v = UInt64(text) else { throw bad("setting '\(key)' must be a non-negative integer, got '\(text)'") }
        return v
    }

    mutating func bool(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let text = take(key) else { return fallback }
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw bad("setting '\(key)' must be true or false, got '\(text)'")
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ fallback: T) throws -> T where T.RawValue == String {
        guard let text = take(key) else { return fallback }
        guard let v = T(rawValue: text) else {
            throw bad("setting '\(key)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return v
    }

    /// `rule` (variance | fo) with its parameter `variance` or `alpha`.
    mutating func spectrumRule() throws -> SpectrumRule {
        let ruleName = take("rule") ?? "variance"
        let variance = take("variance"), alpha = take("alpha")
        let rule: SpectrumRule
        switch ruleName {
        case "variance":
            guard alpha == nil else { throw bad("setting 'alpha' applies to rule=fo, not rule=variance") }
            rule = .variance(try number("variance", variance, 0.9))
        case "fo":
            guard variance == nil else { throw bad("setting 'variance' applies to rule=variance, not rule=fo") }
            rule = .fukunagaOlsen(try number("alpha", alpha, 0.05))
        default:
            throw bad("setting 'rule' must be one of variance, fo, got '\(ruleName)'")
        }
        try rule.validate(estimator: estimator)
        return rule
    }

    private func number(_ key: String, _ text: String?, _ fallback: Double) throws -> Double {
        guard let text else { return fallback }
        guard let v = Double(text), v.isFinite else { throw bad("setting '\(key)' must be a number, got '\(text)'") }
        return v
    }

    /// Throws for the first key no reader asked for, suggesting the nearest known key.
    func finish() throws {
        guard let key = values.keys.sorted().first else { return }
        let hint = closestName(to: key, among: known).map { "; did you mean '\($0)'?" } ?? ""
        throw bad("unknown setting '\(key)' (settings: \(known.joined(separator: ", ")))\(hint)")
    }
}
