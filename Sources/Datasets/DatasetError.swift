/// A dataset that cannot be read: a user-facing error that says what to do.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missingFile(String)
    case corrupt(String, String)
    case mismatch(String)
    case invalid(String)
    /// A file-backed dataset whose files are not all in `directory`: names every file that is
    /// missing (all of them when the directory does not exist) and how to get them.
    case missingDataset(name: String, directory: String, missing: [String], hint: String)

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
        case .missingDataset(let name, let directory, let missing, let hint):
            return "\(name) not found in \(directory): missing \(missing.joined(separator: ", "))\nhelp: \(hint)"
        }
    }
}
