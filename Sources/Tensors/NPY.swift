import Foundation

/// Reading and writing NumPy `.npy` files (format 1.0–3.0), little-endian float32/float64, C order.
///
/// The format: magic `\x93NUMPY`, version, header length, a Python-dict header
/// (`{'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }`) padded to 64 bytes, then the data.
public enum NPY {
    /// Errors reading an `.npy` file, each naming the file.
    public enum Error: Swift.Error, CustomStringConvertible {
        case notNPY(String)
        case unsupported(String, String)
        case truncated(String, expected: Int, found: Int)
        /// The header states a size that cannot be right (negative, overflowing, beyond the file).
        case badHeader(String, String)
        /// More bytes follow the data than the shape accounts for.
        case trailingBytes(String, expected: Int, found: Int)

        public var description: String {
            switch self {
            case .notNPY(let path): return "\(path): not a NumPy .npy file (bad magic)"
            case .unsupported(let path, let why): return "\(path): unsupported .npy content: \(why)"
            case .truncated(let path, let expected, let found):
                return "\(path): truncated .npy file: expected \(expected) data bytes, found \(found)"
            case .badHeader(let path, let why): return "\(path): corrupt .npy header: \(why)"
            case .trailingBytes(let path, let expected, let found):
                return "\(path): corrupt .npy file: the shape needs \(expected) data bytes but \(found) follow the header"
            }
        }
    }

    /// Serialises a tensor as `.npy` bytes.
    public static func encode<E: BLASScalar>(_ tensor: Tensor<E>) -> Data {
        let shapeText = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(E.npyDescriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        data.append(contentsOf: Array(header.utf8))
        tensor.scalars.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Writes a tensor to `url` atomically.
    public static func write<E: BLASScalar>(_ tensor: Tensor<E>, to url: URL) throws {
        try AtomicWrite.write(encode(tensor), to: url)
    }

    /// Reads a float32 or float64 `.npy` file as Float64.
    public static func readDouble(_ url: URL) throws -> Tensor<Double> {
        try decode(TensorFileError.contents(of: url), name: url.path)
    }

    /// Decodes `.npy` bytes, converting float32 to `E` if needed.
    public static func decode<E: BLASScalar>(_ data: Data, name: String, as: E.Type = E.self) throws -> Tensor<E> {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw Error.notNPY(name)
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        if major == 1 {
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        } else if major == 2 || major == 3 {
            guard bytes.count >= 12 else { throw Error.notNPY(name) }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        } else {
            throw Error.unsupported(name, "format version \(major)")
        }
        guard headerLength <= bytes.count - headerStart else {
            throw Error.badHeader(name, "header length \(headerLength) exceeds the \(bytes.count - headerStart) bytes after the preamble")
        }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header) else { throw Error.unsupported(name, "no descr") }
        let descrText = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        if let order = field("fortran_order", in: header), order.contains("True") {
            throw Error.unsupported(name, "Fortran order; save with np.ascontiguousarray")
        }
        guard let shapeText = field("shape", in: header) else { throw Error.unsupported(name, "no shape") }
        let shape = try parseShape(shapeText, name: name)
        let payload = bytes[(headerStart + headerLength)...]
        let width: Int
        switch descrText {
        case "<f4", "f4", "float32": width = 4
        case "<f8", "f8", "float64": width = 8
        default: throw Error.unsupported(name, "dtype \(descrText); expected float32 or float64 (little-endian)")
        }
        guard let byteCount = UntrustedSizes.byteCount(shape, width: width) else {
            throw Error.badHeader(name, "shape \(UntrustedSizes.shapeText(shape)) of \(width)-byte elements overflows the address space")
        }
        let count = byteCount / max(width, 1)
        guard payload.count >= byteCount else {
            throw Error.truncated(name, expected: byteCount, found: payload.count)
        }
        guard payload.count == byteCount else {
            throw Error.trailingBytes(name, expected: byteCount, found: payload.count)
        }
        var scalars = [E](repeating: 0, count: count)
        payload.withUnsafeBytes { raw in
            if width == 4 {
                for i in 0..<count { scalars[i] = E(raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) }
            } else {
                for i in 0..<count { scalars[i] = E(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// The extents of a Python tuple such as `(5, 3)` or `(7,)`; every entry must be a
    /// non-negative integer (a negative or non-numeric entry is an error, never dropped).
    static func parseShape(_ text: String, name: String) throws -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("("), trimmed.hasSuffix(")") else {
            throw Error.badHeader(name, "shape \(trimmed) is not a tuple")
        }
        let inner = trimmed.dropFirst().dropLast()
        var shape: [Int] = []
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for (i, part) in parts.enumerated() {
            // A one-element tuple ends with a comma: `(7,)`.
            if part.isEmpty && i == parts.count - 1 && i > 0 { continue }
            if part.isEmpty && parts.count == 1 { continue }
            guard let extent = Int(part), extent >= 0 else {
                throw Error.badHeader(name, "shape \(trimmed) has the extent '\(part)'; extents must be non-negative integers")
            }
            shape.append(extent)
        }
        return shape
    }

    /// The text after `'key':` up to the matching top-level comma or brace.
    private static func field(_ key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var out = ""
        for ch in header[range.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1; if depth == 0 { out.append(ch); break } }
            if depth == 0 && (ch == "," || ch == "}") { break }
            out.append(ch)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}
