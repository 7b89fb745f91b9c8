/// A dataset that cannot be read: a user-facing error that says what to do.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case corrupt(String, String)
    case mismatch(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "cannot read \(path): file not found or unreadable"
        case .corrupt(let path, let why):
            return "\(path) is corrupt: \(why)"
        case .mismatch(let why):
            return why
        case .invalid(let why):
            return why
        }
    }
}
