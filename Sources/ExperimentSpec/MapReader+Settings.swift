import EstimatorVocabulary
import Yams

/// Reads the settings ``EstimatorCatalog`` states, with its defaults, ranges and choices, so the
/// spec accepts exactly what the engine does.
extension MapReader {
    mutating func read(_ setting: IntegerSetting) -> Int {
        read(setting.key, default: setting.defaultValue, in: setting.range)
    }

    mutating func read(_ setting: NumberSetting) -> Double {
        read(setting.key, default: setting.defaultValue, in: setting.range.closed, rangeText: setting.range.text)
    }

    mutating func read(_ setting: FlagSetting) -> Bool {
        read(setting.key, default: setting.defaultValue)
    }

    /// One of the setting's words; another is reported with the nearest of them.
    mutating func read(_ setting: ChoiceSetting) -> String {
        accept(setting.key)
        guard let n = child(setting.key), !isNull(n) else { return setting.defaultValue }
        return decodeChoice(n, path: path + [setting.key], ctx: ctx, among: setting.choices) ?? setting.defaultValue
    }

    /// The setting's word, or a number in its interval written as the engine reads it.
    /// - Parameter help: what to write instead of a number out of range.
    mutating func read(_ setting: NumberOrWordSetting, help: String) -> String {
        accept(setting.key)
        let path = path + [setting.key]
        guard let n = child(setting.key), !isNull(n) else { return setting.word }
        if case .scalar(let s) = n, s.string == setting.word { return setting.word }
        guard case .scalar(let s) = n, s.isUnquotedNumber, let v = Double(s.string), v.isFinite else {
            reportTypeError(n, path, ctx, expected: "a number in \(setting.range.text) or '\(setting.word)'")
            return setting.word
        }
        guard setting.range.contains(v) else {
            ctx.error(n, path, "'\(dotted(path))' is \(readable(v)), out of range", help: help)
            return setting.word
        }
        return readable(v)
    }
}

extension Interval {
    /// The same doubles as a closed range: an open end moves to the next representable value.
    var closed: ClosedRange<Double> {
        (lowerClosed ? lower : lower.nextUp)...(upperClosed ? upper : upper.nextDown)
    }
}
