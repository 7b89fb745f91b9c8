import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The on-disk layout of one run's result bundle, `Results/<experiment>/<run-id>/`.
public struct BundleLayout: Sendable {
    public static let formatVersion = 1
    public let root: URL

    public init(root: URL) { self.root = root }

    public var bundleJSON: URL { root.appendingPathComponent("bundle.json") }
    public var provenance: URL { root.appendingPathComponent("provenance.json") }
    public var spec: URL { root.appendingPathComponent("spec.yaml") }
    public var overrides: URL { root.appendingPathComponent("overrides.txt") }
    public var resolved: URL { root.appendingPathComponent("resolved.json") }
    public var results: URL { root.appendingPathComponent(Self.resultsFile) }
    public var metrics: URL { root.appendingPathComponent(Self.metricsFile) }
    /// The tidy estimates table, one row per point × epoch × layer × estimator.
    public static let resultsFile = "results.csv"
    /// The tidy per-epoch metrics table, one row per point × epoch.
    public static let metricsFile = "metrics.csv"
    public func stage(_ name: String) -> URL { root.appendingPathComponent("stages").appendingPathComponent(name) }

    /// Creates a new, empty bundle directory under `experimentDirectory`, exclusively: two runs
    /// started in the same second never share one (a taken id is drawn again).
    public static func create(in experimentDirectory: URL, date: Date = Date()) throws -> BundleLayout {
        try FileManager.default.createDirectory(at: experimentDirectory, withIntermediateDirectories: true)
        for _ in 0..<64 {
            let root = experimentDirectory.appendingPathComponent(newRunID(date: date))
            if mkdir(root.path, 0o755) == 0 { return BundleLayout(root: root) }
            guard errno == EEXIST else {
                throw BundleError.unreadable(root.path, "cannot create the bundle directory: \(String(cString: strerror(errno)))")
            }
        }
        throw BundleError.unreadable(experimentDirectory.path, "no free run id after 64 tries")
    }

    /// A new run id: UTC time to the second plus 4 random hex digits, sortable by creation.
    public static func newRunID(date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: date) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
    }
}

/// One file of a bundle with its checksum.
public struct FileRecord: Codable, Equatable, Sendable {
    public var path: String
    public var size: Int
    public var sha256: String

    public init(path: String, size: Int, sha256: String) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}

/// A stage's outcome as recorded in `bundle.json` and its `stage.json`.
public struct StageRecord: Codable, Equatable, Sendable {
    /// The stage key (content hash); the stage's files are under `stages/<key>/`.
    public var key: String
    public var name: String
    public var kind: StageKind
    /// Run points the stage serves.
    public var points: [Int]
    public var status: StageStatus
    public var seconds: Double
    public var error: String?

    public init(key: String, name: String, kind: StageKind, points: [Int], status: StageStatus, seconds: Double, error: String?) {
        self.key = key
        self.name = name
        self.kind = kind
        self.points = points
        self.status = status
        self.seconds = seconds
        self.error = error
    }
}

/// `bundle.json`: what the run was, how it ended, and the checksum of every file.
public struct BundleManifest: JSONBundleFile, Sendable {
    public static let fileName = "bundle.json"
    public var formatVersion: Int
    public var runID: String
    public var experiment: String
    public var status: BundleStatus
    public var started: String
    public var finished: String?
    public var seconds: Double?
    public var points: Int
    public var stages: [StageRecord]
    public var files: [FileRecord]
    /// Files removed by `accordion slim` (checkpoints, activations), with the checksums they had.
    public var dropped: [FileRecord]?

    public init(formatVersion: Int, runID: String, experiment: String, status: BundleStatus, started: String,
                finished: String?, seconds: Double?, points: Int, stages: [StageRecord], files: [FileRecord],
                dropped: [FileRecord]? = nil) {
        self.formatVersion = formatVersion
        self.runID = runID
        self.experiment = experiment
        self.status = status
        self.started = started
        self.finished = finished
        self.seconds = seconds
        self.points = points
        self.stages = stages
        self.files = files
        self.dropped = dropped
    }

    enum CodingKeys: String, CodingKey {
        case status, started, finished, seconds, points, stages, files, experiment, dropped
        case formatVersion = "format_version", runID = "run_id"
    }
}

public enum BundleError: Error, CustomStringConvertible {
    case newerFormat(String, Int)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case let .newerFormat(path, v):
            return "\(path) has bundle format \(v), newer than this accordion reads (\(BundleLayout.formatVersion)); upgrade accordion"
        case let .unreadable(path, why): return "\(path): \(why)"
        }
    }
}

/// JSON encoding used for every JSON file Accordion writes: sorted keys, pretty, stable.
public enum StableJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try e.encode(value)
        d.append(0x0A)
        return d
    }
}

public enum Checksums {
    /// Hex SHA-256 of a file's bytes.
    public static func sha256(of url: URL) throws -> (String, Int) {
        let data = try Data(contentsOf: url)
        return (Hex.string(SHA256.hash(data: data)), data.count)
    }

    /// Every regular file under `root` (except `bundle.json`, or the names in `excluding` at the top
    /// level), relative paths sorted.
    public static func records(under root: URL, excluding: Set<String> = ["bundle.json"]) throws -> [FileRecord] {
        try paths(under: root, excluding: excluding).map { rel in
            let (hash, size) = try sha256(of: root.appendingPathComponent(rel))
            return FileRecord(path: rel, size: size, sha256: hash)
        }
    }

    /// The relative paths ``records(under:excluding:)`` would record, without reading the files.
    public static func paths(under root: URL, excluding: Set<String> = ["bundle.json"]) -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [String] = []
        let base = root.standardizedFileURL.path
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let rel = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            if excluding.contains(rel) || url.lastPathComponent.hasSuffix(".tmp") { continue }
            out.append(rel)
        }
        return out.sorted()
    }
}
