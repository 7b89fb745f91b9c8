import Foundation
import Tensors

/// A JSON file of a bundle or of a stage's outputs, read and written only through its type.
///
/// Each conforming type names its file once; reading names the file in every error, so a user
/// never sees a bare decoding dump.
public protocol JSONBundleFile: Codable {
    /// The file's name inside its directory, e.g. `estimate.json`.
    static var fileName: String { get }
}

extension JSONBundleFile {
    /// Reads the file from `directory`.
    public static func read(from directory: URL) throws -> Self {
        try read(file: directory.appendingPathComponent(fileName))
    }

    /// Reads the file at `url`.
    public static func read(file url: URL) throws -> Self {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BundleError.unreadable(url.path, "missing or unreadable")
        }
        do {
            return try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw BundleError.unreadable(url.path, "not a valid \(fileName): \(DecodingProblem.describe(error))")
        }
    }

    /// Writes the file into `directory` atomically (temporary name, then rename).
    public func write(to directory: URL) throws {
        try AtomicWrite.write(try StableJSON.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }
}

/// Turns a decoding error into one line that says where and what.
public enum DecodingProblem {
    public static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : "'" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .dataCorrupted(let c): return "malformed JSON at \(path(c.codingPath))"
        case .keyNotFound(let key, let c): return "missing key '\(key.stringValue)' in \(path(c.codingPath))"
        case .typeMismatch(let type, let c): return "\(path(c.codingPath)) is not \(type)"
        case .valueNotFound(let type, let c): return "\(path(c.codingPath)) is null, expected \(type)"
        @unknown default: return "\(error)"
        }
    }
}
