import Crypto
import Foundation
import Tensors

/// SHA-256 fingerprints of prepared arrays and the settings that produced them.
///
/// Two prepared datasets with the same fingerprint hold the same bytes in the same order and
/// were produced with the same settings, so results computed on them are comparable.
public enum Fingerprint {
    /// Hex SHA-256 over the inputs' bytes, the labels, and a settings string.
    ///
    /// ```
    /// SHA-256( for each set: shape as "n,d" ‖ Float32 inputs (little-endian) ‖ Int32 labels ;  settings )
    /// ```
    public static func of(_ sets: [LabeledSet], settings: String) -> String {
        var hasher = SHA256()
        for set in sets {
            update(&hasher, set.inputs, labels: set.labels)
        }
        hasher.update(data: Data(settings.utf8))
        return hex(hasher.finalize())
    }

    /// Hex SHA-256 over raw tensors (any scalar type) with optional labels per tensor, and a
    /// settings string: the fingerprint of a synthetic point set before it becomes a `LabeledSet`.
    ///
    /// `labels` is empty (no labels) or holds one label array per tensor.
    public static func of<E: BLASScalar>(_ tensors: [Tensor<E>], labels: [[Int]] = [], settings: String) -> String {
        precondition(labels.isEmpty || labels.count == tensors.count,
                     "[Fingerprint.of] \(tensors.count) tensors but \(labels.count) label arrays")
        var hasher = SHA256()
        hasher.update(data: Data(E.npyDescriptor.utf8))
        for (i, tensor) in tensors.enumerated() {
            update(&hasher, tensor, labels: labels.isEmpty ? [] : labels[i])
        }
        hasher.update(data: Data(settings.utf8))
        return hex(hasher.finalize())
    }

    /// A canonical settings string, `key=value` pairs joined by `|` in the order given.
    ///
    /// Keys are identifiers and must not contain `|` or `=`; in values `%` and `|` are written
    /// `%25` and `%7C`, so the string stays unambiguous whatever a value holds.
    public static func settings(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { key, value in
            precondition(!key.contains("|") && !key.contains("="), "[Fingerprint.settings] key '\(key)' contains a separator")
            let escaped = value.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "|", with: "%7C")
            return "\(key)=\(escaped)"
        }.joined(separator: "|")
    }

    private static func update<E: BLASScalar>(_ hasher: inout SHA256, _ tensor: Tensor<E>, labels: [Int]) {
        hasher.update(data: Data(tensor.shape.map(String.init).joined(separator: ",").utf8))
        tensor.scalars.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        labels.map { Int32($0) }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        Hex.string(digest)
    }
}
