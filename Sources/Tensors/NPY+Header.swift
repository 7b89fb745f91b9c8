import Foundation

extension NPY {
    /// The element types `.npy` files may hold for reading, by their NumPy names.
    public enum DType: String, Sendable, Hashable, CaseIterable {
        case float32, float64, int8, int16, int32, int64, uint8, uint16

        /// Bytes per element.
        public var width: Int {
            switch self {
            case .int8, .uint8: return 1
            case .int16, .uint16: return 2
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }

        /// Whether the elements are integers (labels may only be integers).
        public var isInteger: Bool { self != .float32 && self != .float64 }

        /// The dtype of a type code such as `f4`, `i8` or `u1` (byte order already removed).
        init?(code: String) {
            switch code {
            case "f4": self = .float32
            case "f8": self = .float64
            case "i1": self = .int8
            case "i2": self = .int16
            case "i4": self = .int32
            case "i8": self = .int64
            case "u1": self = .uint8
            case "u2": self = .uint16
            default: return nil
            }
        }
    }

    /// The largest header this reader accepts. NumPy writes a few hundred bytes (and itself
    /// refuses headers over 10,000 bytes by default); the bound keeps a hostile length from
    /// turning into a huge string.
    public static let maximumHeaderLength = 1 << 16

    /// What an `.npy` header says, checked against the length of the file it came from.
    public struct Header: Sendable, Equatable {
        /// The dtype as written, e.g. `<f4` or `|u1`.
        public var descr: String
        public var dtype: DType
        /// Whether multi-byte elements are stored big-endian (`>`).
        public var bigEndian: Bool
        public var shape: [Int]
        /// Offset of the first data byte from the start of the file.
        public var dataOffset: Int
        /// Bytes of data the shape needs; checked not to overflow.
        public var byteCount: Int

        /// Elements the shape holds.
        public var elementCount: Int { dtype.width == 0 ? 0 : byteCount / dtype.width }

        /// Parses the preamble and header of `.npy` bytes, without reading the data. Every size
        /// read from the file (header length, shape product) is bounded before use.
        ///
        /// - Throws: ``NPY/Error`` naming `name`: bad magic, an unknown version or dtype, Fortran
        ///   order, or a shape that overflows.
        public static func parse(_ data: Data, name: String) throws -> Header {
            let preamble = [UInt8](data.prefix(12))
            guard preamble.count >= 10, preamble[0] == 0x93, Array(preamble[1..<6]) == Array("NUMPY".utf8) else {
                throw Error.notNPY(name)
            }
            let headerLength: Int
            let headerStart: Int
            switch preamble[6] {
            case 1:
                headerLength = Int(preamble[8]) | Int(preamble[9]) << 8
                headerStart = 10
            case 2, 3:
                guard preamble.count >= 12 else { throw Error.notNPY(name) }
                headerLength = Int(preamble[8]) | Int(preamble[9]) << 8 | Int(preamble[10]) << 16 | Int(preamble[11]) << 24
                headerStart = 12
            default:
                throw Error.unsupported(name, "format version \(preamble[6])")
            }
            guard headerLength <= data.count - headerStart else {
                throw Error.badHeader(name, "header length \(headerLength) exceeds the \(data.count - headerStart) bytes after the preamble")
            }
            guard headerLength <= maximumHeaderLength else {
                throw Error.badHeader(name, "header length \(headerLength) is over the \(maximumHeaderLength) bytes this reader accepts")
            }
            let start = data.startIndex + headerStart
            let header = String(decoding: data[start..<(start + headerLength)], as: UTF8.self)
            guard let descrField = field("descr", in: header) else { throw Error.unsupported(name, "no descr") }
            let descr = descrField.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
            if let order = field("fortran_order", in: header), order.contains("True") {
                throw Error.unsupported(name, "Fortran order; save with np.ascontiguousarray")
            }
            guard let shapeText = field("shape", in: header) else { throw Error.unsupported(name, "no shape") }
            let shape = try parseShape(shapeText, name: name)
            let (dtype, bigEndian) = try parseDescr(descr, name: name)
            guard let byteCount = UntrustedSizes.byteCount(shape, width: dtype.width) else {
                throw Error.badHeader(name, "shape \(UntrustedSizes.shapeText(shape)) of \(dtype.width)-byte elements overflows the address space")
            }
            return Header(descr: descr, dtype: dtype, bigEndian: bigEndian, shape: shape,
                          dataOffset: headerStart + headerLength, byteCount: byteCount)
        }

        /// Checks that exactly ``byteCount`` bytes follow the header in `data`.
        public func checkPayload(of data: Data, name: String) throws {
            let found = data.count - dataOffset
            guard found >= byteCount else { throw Error.truncated(name, expected: byteCount, found: found) }
            guard found == byteCount else { throw Error.trailingBytes(name, expected: byteCount, found: found) }
        }
    }

    /// The dtype and byte order of a descr such as `<f4`, `>i8`, `|u1` or `float32`.
    static func parseDescr(_ descr: String, name: String) throws -> (DType, bigEndian: Bool) {
        let supported = "float32/64, int8/16/32/64 or uint8/16"
        if let named = DType(rawValue: descr) { return (named, false) }
        var code = Substring(descr)
        var bigEndian = false
        if let first = code.first, "<>|=".contains(first) {
            bigEndian = first == ">"
            code = code.dropFirst()
        }
        guard let dtype = DType(code: String(code)) else {
            throw Error.unsupported(name, "dtype \(descr); expected \(supported)")
        }
        return (dtype, bigEndian && dtype.width > 1)
    }
}
