import Crypto
import Foundation
import ResultBundles
import Tensors

/// Canonical JSON and SHA-256 stage keys.
///
/// ```
/// key = SHA-256( canonical JSON of {kind, format_version, params, inputs} )
/// ```
/// Canonical: keys sorted, no insignificant whitespace, numbers as Swift's shortest round-trip
/// text. Same key ⇒ same outputs ⇒ reuse.
public enum StageKeys {
    public static func canonicalJSON<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(value)
    }

    static func key(kind: StageKind, params: Data, inputs: [String]) -> String {
        // The envelope around the parameters is written into one buffer and hashed in three
        // updates; a plan of a large sweep keys tens of thousands of stages.
        var head: [UInt8] = []
        head.reserveCapacity(64 + inputs.count * 67)
        head.append(contentsOf: "{\"format_version\":\(kind.formatVersion),\"inputs\":[".utf8)
        for (i, input) in inputs.enumerated() {
            if i > 0 { head.append(UInt8(ascii: ",")) }
            head.append(UInt8(ascii: "\""))
            head.append(contentsOf: input.utf8)
            head.append(UInt8(ascii: "\""))
        }
        head.append(contentsOf: "],\"kind\":\"\(kind.rawValue)\",\"params\":".utf8)
        var hasher = SHA256()
        head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.update(data: params)
        hasher.update(data: [UInt8(ascii: "}")])
        return hasher.finalize().withUnsafeBytes { hex($0) }
    }

    /// Lower-case hex of a digest, written straight into the string's storage.
    private static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            digits.withUTF8Buffer { d in
                for (i, b) in bytes.enumerated() {
                    out[2 * i] = d[Int(b >> 4)]
                    out[2 * i + 1] = d[Int(b & 0x0F)]
                }
            }
            return 2 * bytes.count
        }
    }
}
