import Foundation

/// Class labels for `accordion estimate --labels`: a JSON list of integers, a JSON object with a
/// `labels` list (a probe stage's `probe.json`), or integers separated by white space.
enum LabelFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> [Int] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): no such file (give the class of every point: a JSON list, a probe.json, or one integer per line)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
            let object = try? JSONSerialization.jsonObject(with: data)
            let list = (object as? [Any]) ?? ((object as? [String: Any])?["labels"] as? [Any])
            guard let list else { throw Failure(description: "\(path): expected a JSON list of integers or an object with a 'labels' list") }
            return try list.enumerated().map { i, v in
                guard let n = v as? NSNumber, let int = Int(exactly: n.doubleValue) else {
                    throw Failure(description: "\(path): label \(i) is \(v), not an integer")
                }
                return int
            }
        }
        return try trimmed.split(whereSeparator: { $0.isWhitespace || $0 == "," }).enumerated().map { i, word in
            guard let v = Int(word) else { throw Failure(description: "\(path): label \(i) is '\(word)', not an integer") }
            return v
        }
    }
}
