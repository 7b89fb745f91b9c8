import EstimatorVocabulary
/// An input on which an estimator is undefined. Never turned into a NaN.
public enum EstimatorError: Error, CustomStringConvertible, Equatable {
    case tooFewPoints(estimator: String, needed: Int, got: Int)
    case nonFinite(estimator: String, row: Int, column: Int)
    case constantData(estimator: String)
    case invalidSetting(estimator: String, message: String)
    case unknownEstimator(name: String, known: [String])
    case degenerate(estimator: String, reason: String)
    /// A task-relevance measure without usable class labels (none given, or not one per point).
    case labels(estimator: String, problem: String)

    public var description: String {
        switch self {
        case let .tooFewPoints(e, needed, got):
            return "\(e) needs at least \(needed) points, got \(got)"
        case let .nonFinite(e, row, column):
            return "\(e): input holds a NaN or infinity at row \(row), column \(column)"
        case let .constantData(e):
            return "\(e) is undefined: all points are equal (zero variance)"
        case let .invalidSetting(e, message):
            return "\(e): \(message)"
        case let .unknownEstimator(name, known):
            let hint = nearestName(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
            return "unknown estimator '\(name)' (known: \(known.joined(separator: ", ")))\(hint)"
        case let .degenerate(e, reason):
            return "\(e) is undefined on this input: \(reason)"
        case let .labels(e, problem):
            return "\(e) needs the class label of every point: \(problem)"
        }
    }
}

/// Checks that every element is finite, naming the first that is not.
func requireFinite<E: BinaryFloatingPoint>(_ scalars: [E], columns: Int, estimator: String) throws {
    if let i = scalars.firstIndex(where: { !$0.isFinite }) {
        throw EstimatorError.nonFinite(estimator: estimator, row: i / max(columns, 1), column: i % max(columns, 1))
    }
}

