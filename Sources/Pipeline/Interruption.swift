import Dispatch
import Foundation
import ResultBundles

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT, SIGTERM and SIGHUP during a run into a clean stop: the bundle is marked
/// `interrupted` with the stages done so far, the user is told how to resume, and the process
/// exits with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM). Completed stages are in
/// the store, and stages that were running leave only scratch directories, which the next run
/// removes, so running the same spec again resumes.
final class InterruptionHandler: @unchecked Sendable {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "accordion.signals")
    private let lock = NSLock()
    private var fired = false

    /// Starts handling the signals; `stop` is called once, on the first signal.
    init(stop: @escaping @Sendable (Int32) -> Void) {
        for sig in Self.signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [self] in
                lock.lock()
                let first = !fired
                fired = true
                lock.unlock()
                guard first else { return }
                stop(sig)
                exit(128 + sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Restores the default actions.
    func cancel() {
        for source in sources { source.cancel() }
        for sig in Self.signals { signal(sig, SIG_DFL) }
    }
}

extension BundleWriter {
    /// Marks the bundle interrupted, recording which stages the store holds.
    func markInterrupted(store: StageStore) throws {
        var manifest = try manifest(status: .interrupted, finished: Date(), report: nil, checksums: false)
        for i in manifest.stages.indices where store.isDone(manifest.stages[i].key) {
            manifest.stages[i].status = .done
        }
        try manifest.write(to: layout.root)
    }
}

extension StageStore {
    /// Removes scratch directories (`tmp/<key>.<host>.<pid>.<n>`) of this host whose process no
    /// longer runs: what a killed or interrupted run leaves behind. Other hosts' directories are
    /// left alone: their processes cannot be checked from here.
    func removeAbandonedScratch() {
        let tmp = root.appendingPathComponent("tmp")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmp.path) else { return }
        for name in names {
            let parts = name.split(separator: ".")
            guard parts.count == 4, parts[1] == Self.hostTag, let pid = Int32(parts[2]), !Self.isAlive(pid) else { continue }
            try? FileManager.default.removeItem(at: tmp.appendingPathComponent(name))
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
