import Foundation
import ResultBundles
import Tensors

#if canImport(Glibc)
import Glibc
#endif

/// A content-addressed store of stage outputs, shared by every run on one results directory.
///
/// A stage's outputs live in `<results>/.store/<key>/`. They are written into a private
/// temporary directory and renamed into place only when complete, so a killed run leaves
/// nothing under a real key. An exclusive `flock` on `<key>.lock` makes sure two processes
/// never compute the same stage at once; the lock dies with its process. `stage.json` records
/// the SHA-256 of every output, and a cache hit is checked against it before it is used: an
/// entry that does not match is moved aside (`.store/corrupt/`) and recomputed.
public struct StageStore: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public func directory(_ key: String) -> URL { root.appendingPathComponent(key) }
    func record(_ key: String) -> URL { directory(key).appendingPathComponent(StageResult.fileName) }
    func definitionFile(_ key: String) -> URL { root.appendingPathComponent("definitions").appendingPathComponent("\(key).json") }

    /// Whether a completed output is recorded for `key` (its files are checked when it is used).
    public func isDone(_ key: String) -> Bool {
        FileManager.default.fileExists(atPath: record(key).path)
    }

    public func result(_ key: String) -> StageResult? {
        try? StageResult.read(file: record(key))
    }

    /// What a store entry holds.
    public enum EntryState: Sendable, Equatable {
        case absent
        case valid
        /// Present but not what was published: the reason names the file.
        case corrupt(String)
    }

    /// Checks an entry's every output against the sizes and SHA-256 digests in its `stage.json`.
    ///
    /// - Complexity: reads every output file once.
    public func check(_ key: String) -> EntryState {
        guard FileManager.default.fileExists(atPath: record(key).path) else { return .absent }
        let result: StageResult
        do {
            result = try StageResult.read(file: record(key))
        } catch {
            return .corrupt("\(error)")
        }
        guard let outputs = result.outputs else {
            return .corrupt("stage.json records no checksums (written by an older accordion), so the outputs cannot be checked")
        }
        let dir = directory(key)
        for file in outputs {
            let url = dir.appendingPathComponent(file.path)
            guard let (hash, size) = try? Checksums.sha256(of: url) else { return .corrupt("\(file.path) is missing") }
            if size != file.size || hash != file.sha256 {
                return .corrupt("\(file.path) does not match its recorded checksum (size \(size), recorded \(file.size))")
            }
        }
        let present = Checksums.paths(under: dir, excluding: [StageResult.fileName])
        if let extra = Set(present).subtracting(outputs.map(\.path)).sorted().first {
            return .corrupt("\(extra) is not among the recorded outputs")
        }
        return .valid
    }

    /// Moves a corrupt entry out of the way so it can be recomputed; kept for inspection.
    func quarantine(_ key: String) throws {
        let aside = root.appendingPathComponent("corrupt")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        let target = aside.appendingPathComponent("\(key).\(Int(Date().timeIntervalSince1970)).\(getpid())")
        if rename(directory(key).path, target.path) != 0 {
            try FileManager.default.removeItem(at: directory(key))
        }
    }

    /// Saves a stage's definition so another process can execute it by key.
    func saveDefinition(_ stage: Stage) throws {
        let url = definitionFile(stage.key)
        if FileManager.default.fileExists(atPath: url.path) { return }
        try AtomicWrite.write(try StableJSON.encode(StageDefinition(stage)), to: url)
    }

    public func definition(_ key: String) throws -> StageDefinition {
        try StageDefinition.read(file: definitionFile(key))
    }

    /// Holds the exclusive lock of one stage key.
    final class Lock {
        private let fd: Int32
        /// - Parameter waiting: called once if another process holds the lock, before waiting for it.
        init(_ url: URL, waiting: () -> Void) throws {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            fd = open(url.path, O_CREAT | O_RDWR, 0o644)
            guard fd >= 0 else {
                throw StageFailure(stage: url.lastPathComponent, reason: "cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
            waiting()
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        deinit {
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    func lock(_ key: String, waiting: () -> Void = {}) throws -> Lock {
        try Lock(root.appendingPathComponent("locks").appendingPathComponent("\(key).lock"), waiting: waiting)
    }

    /// This machine's name without dots, so scratch directories say which host's process owns them
    /// (a store on a shared filesystem is used by cluster nodes at once).
    static let hostTag: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "host" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let name = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: ".", with: "_")
        return name.isEmpty ? "host" : name
    }()

    /// A fresh private directory for a stage's outputs while it runs: `tmp/<key>.<host>.<pid>.<n>`.
    func scratch(_ key: String) throws -> URL {
        let url = root.appendingPathComponent("tmp")
            .appendingPathComponent("\(key).\(Self.hostTag).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Records the checksums of a completed scratch directory's outputs and moves it into place
    /// under `key`.
    func publish(_ scratch: URL, key: String, result: StageResult) throws {
        var result = result
        result.outputs = try Checksums.records(under: scratch, excluding: [StageResult.fileName])
        try result.write(to: scratch)
        // Published outputs are shared by every bundle that links them: make them read-only.
        for file in (result.outputs ?? []).map(\.path) + [StageResult.fileName] {
            chmod(scratch.appendingPathComponent(file).path, 0o444)
        }
        let target = directory(key)
        if FileManager.default.fileExists(atPath: target.path) {
            try? FileManager.default.removeItem(at: scratch)
            return
        }
        if rename(scratch.path, target.path) != 0 {
            throw StageFailure(stage: key, reason: "cannot move the outputs into \(target.path): \(String(cString: strerror(errno)))")
        }
    }
}

extension StageDefinition: JSONBundleFile {
    public static let fileName = "definition.json"
}
