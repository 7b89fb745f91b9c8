/// An interval of real numbers whose ends may each be open or closed, e.g. `(0, 1]`.
public struct Interval: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let lowerClosed: Bool
    public let upperClosed: Bool

    public init(_ lower: Double, _ upper: Double, lowerClosed: Bool, upperClosed: Bool) {
        precondition(lower < upper, "[Interval] lower bound \(lower) is not below upper bound \(upper)")
        self.lower = lower
        self.upper = upper
        self.lowerClosed = lowerClosed
        self.upperClosed = upperClosed
    }

    public func contains(_ value: Double) -> Bool {
        (lowerClosed ? value >= lower : value > lower) && (upperClosed ? value <= upper : value < upper)
    }

    /// The interval as a reader writes it: `(0, 1]`, `[0, 0.9]`, `(0, 1e12]`.
    public var text: String {
        (lowerClosed ? "[" : "(") + boundText(lower) + ", " + boundText(upper) + (upperClosed ? "]" : ")")
    }
}

/// A bound written as a reader would: `1000`, `0.9`, `1e12`.
func boundText(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e6 { return String(Int(x)) }
    if x == x.rounded(), let exponent = (1...15).first(where: { x == pow10($0) }) { return "1e\(exponent)" }
    return "\(x)"
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }

/// An integer setting with its default and the values allowed.
public struct IntegerSetting: Sendable, Equatable {
    public let key: String
    public let defaultValue: Int
    public let range: ClosedRange<Int>

    /// The range as a reader writes it, e.g. `[2, 10000]`.
    public var rangeText: String { "[\(range.lowerBound), \(range.upperBound)]" }
}

/// A real-number setting with its default and the interval allowed.
public struct NumberSetting: Sendable, Equatable {
    public let key: String
    public let defaultValue: Double
    public let range: Interval
}

/// A setting that is either a number in an interval or one word, e.g. a ridge strength or `cv`.
public struct NumberOrWordSetting: Sendable, Equatable {
    public let key: String
    /// The word accepted instead of a number; also the default.
    public let word: String
    public let range: Interval
}

/// A true/false setting.
public struct FlagSetting: Sendable, Equatable {
    public let key: String
    public let defaultValue: Bool
}

/// A setting that takes one of a few words.
public struct ChoiceSetting: Sendable, Equatable {
    public let key: String
    public let defaultValue: String
    public let choices: [String]
}

/// Any one setting, so an estimator's settings can be listed together.
public enum AnySetting: Sendable, Equatable {
    case integer(IntegerSetting)
    case number(NumberSetting)
    case numberOrWord(NumberOrWordSetting)
    case flag(FlagSetting)
    case choice(ChoiceSetting)

    public var key: String {
        switch self {
        case .integer(let s): return s.key
        case .number(let s): return s.key
        case .numberOrWord(let s): return s.key
        case .flag(let s): return s.key
        case .choice(let s): return s.key
        }
    }
}
