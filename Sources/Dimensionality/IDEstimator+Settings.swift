import EstimatorVocabulary
import Foundation

extension IDEstimator {
    /// The estimator called `name` with `settings` (text values, e.g. `["k": "20"]`); settings
    /// not given take their defaults.
    ///
    /// Throws ``EstimatorError/unknownEstimator(name:known:)`` for an unknown name and
    /// ``EstimatorError/invalidSetting(estimator:message:)`` for an unknown key or a bad value.
    public static func named(_ name: String, settings: [String: String] = [:]) throws -> IDEstimator {
        typealias C = EstimatorCatalog
        var r = SettingsReader(estimator: name, values: settings)
        let method: Method
        switch name {
        case ParticipationRatio.name:
            method = .participationRatio
        case PCAVariance.name:
            method = .pca(PCAVariance.Settings(rule: try r.spectrumRule(), standardize: try r.bool(C.PCA.standardize)))
        case TwoNN.name:
            method = .twoNN(TwoNN.Settings(discardFraction: try r.number(C.TwoNN.discardFraction), method: try r.choice(C.TwoNN.method)))
        case LevinaBickel.name:
            method = .mle(LevinaBickel.Settings(k: try r.int(C.MLE.k), average: try r.choice(C.MLE.average)))
        case LocalPCA.name:
            method = .localPCA(LocalPCA.Settings(k: try r.int(C.LocalPCA.k), rule: try r.spectrumRule()))
        case CorrelationDimension.name:
            let s = CorrelationDimension.Settings(k1: try r.int(C.CorrDim.k1), k2: try r.int(C.CorrDim.k2))
            guard s.k2 > s.k1 else { throw r.bad("needs k1 < k2, got k1 = \(s.k1), k2 = \(s.k2)") }
            method = .correlationDimension(s)
        case ClassGeometry.name:
            method = .classGeometry
        case LinearProbe.name:
            return try linearProbe(&r)
        default:
            throw EstimatorError.unknownEstimator(name: name, known: names)
        }
        guard let resamples = C.entry(name)?.resamples else {
            preconditionFailure("[IDEstimator.named] '\(name)' has no resampling settings in EstimatorCatalog")
        }
        let bars = ErrorBars(resamples: try r.int(resamples),
                             fraction: try r.number(C.Common.resampleFraction),
                             seed: try r.seed(C.Common.seedKey),
                             blocks: try r.bool(C.Common.blocks))
        try r.finish()
        return IDEstimator(method, errorBars: bars)
    }

    /// `linear_probe` with `folds`, `alpha` (a number or `cv`), `shuffle` and `seed`.
    private static func linearProbe(_ r: inout SettingsReader) throws -> IDEstimator {
        typealias P = EstimatorCatalog.LinearProbe
        let folds = try r.int(P.folds)
        let alpha = try r.numberOrWord(P.alpha).map(LinearProbe.Alpha.fixed) ?? .crossValidated
        let settings = LinearProbe.Settings(folds: folds, alpha: alpha, shuffle: try r.bool(P.shuffle))
        let seed = try r.seed(EstimatorCatalog.Common.seedKey)
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

    /// The text under `key` as a number, or nil when absent.
    private mutating func number(_ key: String) throws -> Double? { try parse(key, take(key)) }

    private func parse(_ key: String, _ text: String?) throws -> Double? {
        guard let text else { return nil }
        guard let v = Double(text), v.isFinite else { throw bad("setting '\(key)' must be a number, got '\(text)'") }
        return v
    }

    /// `setting`, or its default when absent; a number outside the setting's interval throws.
    mutating func number(_ setting: NumberSetting) throws -> Double {
        let v = try number(setting.key) ?? setting.defaultValue
        return try inRange(setting.key, v, setting.range)
    }

    /// A number in the setting's interval, or nil for its word (also the default).
    mutating func numberOrWord(_ setting: NumberOrWordSetting) throws -> Double? {
        guard let text = take(setting.key), text != setting.word else { return nil }
        guard let v = Double(text), v.isFinite else {
            throw bad("setting '\(setting.key)' must be a number in \(setting.range.text) or \(setting.word), got '\(text)'")
        }
        return try inRange(setting.key, v, setting.range)
    }

    private func inRange(_ key: String, _ v: Double, _ range: Interval) throws -> Double {
        guard range.contains(v) else { throw bad("\(key) = \(formatNumber(v)) must be in \(range.text)") }
        return v
    }

    /// `setting`, or its default when absent; an integer outside the setting's range throws.
    mutating func int(_ setting: IntegerSetting) throws -> Int {
        guard let text = take(setting.key) else { return setting.defaultValue }
        guard let v = Int(text) else { throw bad("setting '\(setting.key)' must be an integer, got '\(text)'") }
        guard setting.range.contains(v) else { throw bad("\(setting.key) = \(v) must be in \(setting.rangeText)") }
        return v
    }

    mutating func seed(_ key: String) throws -> UInt64 {
        guard let text = take(key) else { return 0 }
        guard let v = UInt64(text) else { throw bad("setting '\(key)' must be a non-negative integer, got '\(text)'") }
        return v
    }

    mutating func bool(_ setting: FlagSetting) throws -> Bool {
        guard let text = take(setting.key) else { return setting.defaultValue }
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw bad("setting '\(setting.key)' must be true or false, got '\(text)'")
        }
    }

    /// `setting` as the engine's enum `T`, whose cases are the setting's choices.
    mutating func choice<T: RawRepresentable & CaseIterable>(_ setting: ChoiceSetting) throws -> T where T.RawValue == String {
        let text = take(setting.key) ?? setting.defaultValue
        guard let v = T(rawValue: text) else {
            throw bad("setting '\(setting.key)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return v
    }

    /// `rule` (variance | fo) with its parameter `variance` or `alpha`.
    mutating func spectrumRule() throws -> SpectrumRule {
        typealias S = EstimatorCatalog.Spectrum
        let rule = take(S.rule.key) ?? S.rule.defaultValue
        let variance = take(S.variance.key), alpha = take(S.alpha.key)
        switch rule {
        case S.varianceRule:
            guard alpha == nil else { throw bad("setting 'alpha' applies to rule=fo, not rule=variance") }
            return .variance(try inRange(S.variance.key, try parse(S.variance.key, variance) ?? S.variance.defaultValue, S.variance.range))
        case S.foRule:
            guard variance == nil else { throw bad("setting 'variance' applies to rule=variance, not rule=fo") }
            return .fukunagaOlsen(try inRange(S.alpha.key, try parse(S.alpha.key, alpha) ?? S.alpha.defaultValue, S.alpha.range))
        default:
            throw bad("setting 'rule' must be one of \(S.rule.choices.joined(separator: ", ")), got '\(rule)'")
        }
    }

    /// Throws for the first key no reader asked for, suggesting the nearest known key.
    func finish() throws {
        guard let key = values.keys.sorted().first else { return }
        let hint = nearestName(to: key, among: known).map { "; did you mean '\($0)'?" } ?? ""
        throw bad("unknown setting '\(key)' (settings: \(known.joined(separator: ", ")))\(hint)")
    }
}
