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
        var hasher = SHA256()
        hasher.update(data: Data("{\"format_version\":\(kind.formatVersion),\"inputs\":[".utf8))
        hasher.update(data: Data(inputs.map { "\"\($0)\"" }.joined(separator: ",").utf8))
        hasher.update(data: Data("],\"kind\":\"\(kind.rawValue)\",\"params\":".utf8))
        hasher.update(data: params)
        hasher.update(data: Data("}".utf8))
        return Hex.string(hasher.finalize())
    }
}
