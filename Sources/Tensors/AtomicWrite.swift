import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a crash never leaves a half-written file under the real name.
public enum AtomicWrite {
    /// Writes `data` to a temporary sibling of `url`, flushes it, then renames it into place.
    ///
    /// - Throws: ``FileWriteError`` naming `url` and saying why (no space, no permission, …).
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
                throw FileWriteError(path: url.path, reason: String(cString: strerror(errno)))
            }
            let handle = try FileHandle(forWritingTo: tmp)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(tmp.path, url.path) != 0 {
                throw FileWriteError(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch let error as FileWriteError {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw FileWriteError(path: url.path, reason: FileErrors.reason(error))
        }
    }

    /// Writes UTF-8 `text` atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
