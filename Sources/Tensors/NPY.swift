import Foundation

/// Reading and writing NumPy `.npy` files (format 1.0–3.0), C order. Writing: little-endian
/// float32/float64. Reading: float32/float64 and int8/16/32/64, uint8/16 in either byte order (see
/// ``DType`` and ``Header``); Fortran-ordered arrays are refused with an error naming the file.
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
        tensor.scalars.withUnsafeBytes { encode(raw: Data($0), descr: E.npyDescriptor, shape: tensor.shape) }
    }

    /// `.npy` bytes (format 1.0, C order) around data already laid out as `descr` says, e.g.
    /// `descr: "|u1"` for bytes or `">i4"` for big-endian int32.
    public static func encode(raw: Data, descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(raw)
        return data
    }

    /// Writes a tensor to `url` atomically.
    public static func write<E: BLASScalar>(_ tensor: Tensor<E>, to url: URL) throws {
        try AtomicWrite.write(encode(tensor), to: url)
    }

    /// Reads a numeric `.npy` file (any dtype ``DType`` lists) as Float64.
    public static func readDouble(_ url: URL) throws -> Tensor<Double> {
        try decode(TensorFileError.contents(of: url), name: url.path)
    }

    /// Decodes `.npy` bytes of any dtype ``DType`` lists, converting each element to `E` by value
    /// (integers are not rescaled).
    public static func decode<E: BLASScalar>(_ data: Data, name: String, as: E.Type = E.self) throws -> Tensor<E> {
        let header = try Header.parse(data, name: name)
        try header.checkPayload(of: data, name: name)
        let scalars: [E] = header.dtype.isInteger
            ? convert(data, header) { E(Double($0)) } : convertFloating(data, header) { E($0) }
        return Tensor(shape: header.shape, scalars: scalars)
    }

    /// Decodes an integer `.npy` array (int8/16/32/64, uint8/16) as `Int`s with its shape.
    ///
    /// - Throws: ``Error/unsupported(_:_:)`` for a floating-point array, naming its dtype.
    public static func decodeIntegers(_ data: Data, name: String) throws -> (shape: [Int], values: [Int]) {
        let header = try Header.parse(data, name: name)
        guard header.dtype.isInteger else {
            throw Error.unsupported(name, "dtype \(header.descr) holds floating-point numbers; integers (int8/16/32/64, uint8/16) are needed here")
        }
        try header.checkPayload(of: data, name: name)
        return (header.shape, convert(data, header) { Int($0) })
    }

    /// Every element of an integer array through `transform`, byte-swapped as the header says.
    private static func convert<T>(_ data: Data, _ h: Header, _ transform: (Int64) -> T) -> [T] {
        let count = h.elementCount
        var out: [T] = []
        out.reserveCapacity(count)
        data.withUnsafeBytes { raw in
            let base = h.dataOffset
            func each<I: FixedWidthInteger>(_: I.Type) {
                for i in 0..<count {
                    let v = raw.loadUnaligned(fromByteOffset: base + i * MemoryLayout<I>.size, as: I.self)
                    out.append(transform(Int64(h.bigEndian ? I(bigEndian: v) : I(littleEndian: v))))
                }
            }
            switch h.dtype {
            case .int8: each(Int8.self)
            case .uint8: each(UInt8.self)
            case .int16: each(Int16.self)
            case .uint16: each(UInt16.self)
            case .int32: each(Int32.self)
            case .int64: each(Int64.self)
            case .float32, .float64: break
            }
        }
        return out
    }

    /// Every element of a float32 or float64 array through `transform`, byte-swapped as the header says.
    private static func convertFloating<T>(_ data: Data, _ h: Header, _ transform: (Double) -> T) -> [T] {
        let count = h.elementCount
        var out: [T] = []
        out.reserveCapacity(count)
        data.withUnsafeBytes { raw in
            let base = h.dataOffset
            if h.dtype == .float32 {
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: base + i * 4, as: UInt32.self)
                    out.append(transform(Double(Float(bitPattern: h.bigEndian ? UInt32(bigEndian: bits) : UInt32(littleEndian: bits)))))
                }
            } else {
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: base + i * 8, as: UInt64.self)
                    out.append(transform(Double(bitPattern: h.bigEndian ? UInt64(bigEndian: bits) : UInt64(littleEndian: bits))))
                }
            }
        }
        return out
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
    static func field(_ key: String, in header: String) -> String? {
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
