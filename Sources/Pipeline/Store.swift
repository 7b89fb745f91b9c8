import Foundation
import ResultBundles
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// The record a finished stage leaves beside its outputs (`stage.json`).
public struct StageResult: Codable, Sendable {
    public var definition: StageDefinition
    public var status: String
    public var seconds: Double
    public var error: String?
    public var finished: String
}

/// A content-addressed store of stage outputs, shared by every run on one results directory.
///
/// A stage's outputs live in `<results>/.store/<key>/`. They are written into a private
/// temporary directory and renamed into place only when complete, so a killed run leaves
/// nothing under a real key. An exclusive `flock` on `<key>.lock` makes sure two processes
/// never compute the same stage at once; the lock dies with its process.
public struct StageStore: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func directory(_ key: String) -> URL { root.appendingPathComponent(key) }
    func record(_ key: String) -> URL { directory(key).appendingPathComponent("stage.json") }
    func definitionFile(_ key: String) -> URL { root.appendingPathComponent("definitions").appendingPathComponent("\(key).json") }

    /// Whether a completed output exists for `key`.
    public func isDone(_ key: String) -> Bool {
        FileManager.default.fileExists(atPath: record(key).path)
    }

    public func result(_ key: String) -> StageResult? {
        guard let data = FileManager.default.contents(atPath: record(key).path) else { return nil }
        return try? JSONDecoder().decode(StageResult.self, from: data)
    }

    /// Saves a stage's definition so another process can execute it by key.
    func saveDefinition(_ stage: Stage) throws {
        let url = definitionFile(stage.key)
        if FileManager.default.fileExists(atPath: url.path) { return }
        try AtomicWrite.write(try StableJSON.encode(StageDefinition(stage)), to: url)
    }

    public func definition(_ key: String) throws -> StageDefinition {
        let data = try Data(contentsOf: definitionFile(key))
        return try JSONDecoder().decode(StageDefinition.self, from: data)
    }

    /// Holds the exclusive lock of one stage key.
    final class Lock {
        private let fd: Int32
        init(_ url: URL) throws {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            fd = open(url.path, O_CREAT | O_RDWR, 0o644)
            guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path]) }
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        deinit {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    func lock(_ key: String) throws -> Lock {
        try Lock(root.appendingPathComponent("locks").appendingPathComponent("\(key).lock"))
    }

    /// A fresh private directory for a stage's outputs while it runs.
    func scratch(_ key: String) throws -> URL {
        let url = root.appendingPathComponent("tmp").appendingPathComponent("\(key).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Moves a completed scratch directory into place under `key`.
    func publish(_ scratch: URL, key: String, result: StageResult) throws {
        try AtomicWrite.write(try StableJSON.encode(result), to: scratch.appendingPathComponent("stage.json"))
        let target = directory(key)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: scratch)
            return
        }
        if rename(scratch.path, target.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
        }
    }
}
