import Foundation

/// Size arithmetic on numbers read from untrusted file headers: every product and sum is
/// overflow-checked, and every extent must be non-negative, so a hostile header gives an error
/// rather than a trap or an allocation the size of the address space.
public enum UntrustedSizes {
    /// The number of elements of `shape`, or nil when an extent is negative or the product
    /// overflows `Int`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The bytes `shape` needs at `width` bytes per element, or nil on a negative extent or overflow.
    public static func byteCount(_ shape: [Int], width: Int) -> Int? {
        guard let count = elementCount(shape) else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
        return overflow ? nil : bytes
    }

    /// A shape as Python prints it, e.g. `(5, 3)` or `(7,)`.
    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// A tensor file that cannot be opened, with the reason in words instead of a Foundation error dump.
public struct TensorFileError: Error, CustomStringConvertible, Equatable {
    /// The path as given.
    public var path: String
    /// What is wrong, e.g. "is a directory".
    public var reason: String

    public var description: String { "\(path): cannot read: \(reason)" }

    /// Reads a whole file, saying in words why it cannot be read (missing, a directory, no permission).
    public static func contents(of url: URL) throws -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TensorFileError(path: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw TensorFileError(path: path, reason: "it is a directory, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw TensorFileError(path: path, reason: "permission denied")
        }
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw TensorFileError(path: path, reason: "the file could not be read (\((error as NSError).localizedFailureReason ?? "I/O error"))")
        }
    }
}
