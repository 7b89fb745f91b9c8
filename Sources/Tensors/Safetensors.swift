import Foundation

/// Reading and writing the `safetensors` format (Hugging Face): an 8-byte little-endian header
/// length, a JSON header `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}}`,
/// then the raw little-endian tensor bytes.
public enum Safetensors {
    public enum Error: Swift.Error, CustomStringConvertible {
        case malformed(String, String)
        case missingTensor(String, String, available: [String])

        public var description: String {
            switch self {
            case let .malformed(path, why): return "\(path): not a valid safetensors file: \(why)"
            case let .missingTensor(path, name, available):
                return "\(path): no tensor named '\(name)' (tensors: \(available.sorted().joined(separator: ", ")))"
            }
        }
    }

    /// Serialises named Float32 tensors; names are written in sorted order.
    public static func encode(_ tensors: [String: FloatTensor], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]]
            offset += 4 * t.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names { tensors[name]!.scalars.withUnsafeBytes { data.append(contentsOf: $0) } }
        return data
    }

    public static func write(_ tensors: [String: FloatTensor], to url: URL, metadata: [String: String] = [:]) throws {
        try AtomicWrite.write(encode(tensors, metadata: metadata), to: url)
    }

    /// Reads every F32/F64 tensor of a file as Float32 (F64 is narrowed).
    public static func read(_ url: URL) throws -> [String: FloatTensor] {
        let data = try TensorFileError.contents(of: url)
        return try decode(data, name: url.path)
    }

    /// One tensor's entry in a file's header, checked against the file's size.
    public struct Entry: Sendable, Equatable {
        public var shape: [Int]
        /// Bytes per element: 4 (F32) or 8 (F64).
        public var width: Int
        /// Offset of the first byte in the file's data section.
        public var offset: Int
    }

    /// The F32/F64 tensors a file holds, by name, from its header alone: every shape and offset
    /// is checked against the bytes present, so reading them afterwards cannot run past the end.
    public static func entries(_ data: Data, name: String) throws -> (entries: [String: Entry], dataStart: Int) {
        guard data.count >= 8 else { throw Error.malformed(name, "shorter than its 8-byte header length") }
        // Compared as UInt64 before any conversion: a length near 2^64 must not trap in Int(_:).
        let rawLength = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard rawLength > 0, rawLength <= UInt64(data.count - 8) else {
            throw Error.malformed(name, "header length \(rawLength) exceeds the \(data.count - 8) bytes after the length field")
        }
        let length = Int(rawLength)
        let headerStart = data.startIndex + 8
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: headerStart..<(headerStart + length))) as? [String: Any] else {
            throw Error.malformed(name, "header is not a JSON object")
        }
        let bodyCount = data.count - 8 - length
        var out: [String: Entry] = [:]
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shapeNumbers = entry["shape"] as? [NSNumber], let offsetNumbers = entry["data_offsets"] as? [NSNumber],
                  offsetNumbers.count == 2
            else { throw Error.malformed(name, "bad entry for '\(key)'") }
            guard let shape = exactIntegers(shapeNumbers), let offsets = exactIntegers(offsetNumbers) else {
                throw Error.malformed(name, "tensor '\(key)' has a shape or data_offsets that are not integers in range")
            }
            let width = dtype == "F32" ? 4 : dtype == "F64" ? 8 : 0
            guard width > 0 else { throw Error.malformed(name, "tensor '\(key)' has dtype \(dtype); only F32 and F64 are read") }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw Error.malformed(name, "tensor '\(key)' has a negative extent in shape \(shape)")
            }
            guard let byteCount = UntrustedSizes.byteCount(shape, width: width) else {
                throw Error.malformed(name, "tensor '\(key)' has shape \(shape), whose size overflows the address space")
            }
            let (span, overflow) = offsets[1].subtractingReportingOverflow(offsets[0])
            guard offsets[0] >= 0, offsets[1] <= bodyCount, !overflow, span == byteCount else {
                throw Error.malformed(name, "tensor '\(key)' has data_offsets \(offsets) inconsistent with shape \(shape) (\(byteCount) bytes) or the \(bodyCount) data bytes in the file")
            }
            out[key] = Entry(shape: shape, width: width, offset: offsets[0])
        }
        return (out, 8 + length)
    }

    public static func decode(_ data: Data, name: String) throws -> [String: FloatTensor] {
        let (entries, dataStart) = try entries(data, name: name)
        return entries.mapValues { tensor(data, $0, dataStart: dataStart) }
    }

    /// One tensor of a file whose header ``entries(_:name:)`` checked, as Float32 (F64 narrowed).
    public static func tensor(_ data: Data, _ entry: Entry, dataStart: Int) -> FloatTensor {
        let count = entry.shape.reduce(1, *)
        var scalars = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            let base = dataStart + entry.offset
            for i in 0..<count {
                scalars[i] = entry.width == 4 ? raw.loadUnaligned(fromByteOffset: base + 4 * i, as: Float.self)
                    : Float(raw.loadUnaligned(fromByteOffset: base + 8 * i, as: Double.self))
            }
        }
        return FloatTensor(shape: entry.shape, scalars: scalars)
    }

    /// The values as `Int` when every one is an integer that fits (JSON numbers may be
    /// fractional or beyond 64 bits in a hostile header).
    private static func exactIntegers(_ numbers: [NSNumber]) -> [Int]? {
        var out: [Int] = []
        for n in numbers {
            let d = n.doubleValue
            guard d.isFinite, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
            let i = n.int64Value
            guard Double(i) == d else { return nil }
            out.append(Int(i))
        }
        return out
    }
}
