import Foundation

/// Writes canonical JSON directly into bytes: the same bytes as ``StageKeys/canonicalJSON(_:)``
/// (Foundation's `JSONEncoder` with sorted keys and unescaped slashes) for the values it is given.
///
/// The writer does not sort: each caller writes its keys in the order `JSONEncoder` sorts them
/// (by UTF-8 bytes, so `checkpoint_steps` before `checkpoints`), and the tests of each
/// hand-written encoding compare it with `JSONEncoder`'s output. Optional members that are nil
/// are left out, as the synthesized `Encodable` conformances leave them out.
///
/// - Complexity: O(bytes written).
struct CanonicalJSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next key or array element needs a comma before it.
    private var needsComma = false

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    var data: Data { Data(bytes) }

    // MARK: Structure

    mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A member's key; the value written next is its value. Keys are written unescaped, so they
    /// must be plain coding keys (no quote, backslash or control character).
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        needsComma = false
    }

    /// A key taken from data (a dictionary's), escaped like any string.
    mutating func key(escaping name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    // MARK: Scalars

    /// A string literal escaped as `JSONEncoder` escapes it: quote, backslash and the C0 controls
    /// (`\b \f \n \r \t` by name, the others as `\u00xx`); everything else, `/` and DEL included,
    /// as its UTF-8 bytes.
    mutating func string(_ s: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for i in utf8.indices {
                let b = utf8[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    mutating func int(_ v: Int) { separate(); bytes.append(contentsOf: String(v).utf8); needsComma = true }
    mutating func uint64(_ v: UInt64) { separate(); bytes.append(contentsOf: String(v).utf8); needsComma = true }
    mutating func bool(_ v: Bool) { separate(); bytes.append(contentsOf: (v ? "true" : "false").utf8); needsComma = true }

    /// A number as `JSONEncoder` writes a `Double`: Swift's shortest round-trip `description`
    /// without a trailing `.0` (`1`, `0.1`, `1e-08`, `1e+21`, `-0`).
    ///
    /// - Throws: `EncodingError.invalidValue` for NaN and infinities, which JSON cannot hold.
    mutating func double(_ v: Double) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, .init(codingPath: [], debugDescription: "Unable to encode \(v) directly in JSON."))
        }
        separate()
        var text = v.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    // MARK: Collections

    mutating func strings(_ values: [String]) {
        beginArray()
        for v in values { string(v) }
        endArray()
    }

    mutating func ints(_ values: [Int]) {
        beginArray()
        for v in values { int(v) }
        endArray()
    }

    /// A string-to-string dictionary, keys in `JSONEncoder`'s sorted order: by their UTF-8 bytes,
    /// not by Swift's `<`, which compares canonically equivalent forms (`e\u{301}` and `é`) as equal.
    mutating func stringMap(_ map: [String: String]) {
        beginObject()
        for k in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            key(escaping: k)
            string(map[k]!)
        }
        endObject()
    }

    /// Any other value, through `JSONEncoder` itself: for parts that are small or rare (a claim,
    /// a missing input), where writing them by hand would buy nothing.
    mutating func encoded<T: Encodable>(_ value: T) throws {
        let data = try StageKeys.canonicalJSON(value)
        separate()
        bytes.append(contentsOf: data)
        needsComma = true
    }
}
