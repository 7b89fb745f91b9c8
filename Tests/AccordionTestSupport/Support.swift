import Foundation
import Tensors

/// Paths and helpers shared by the test targets.
public enum TestSupport {
    /// The repository root (found from this file's location).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/<name>`.
    public static func fixture(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
    }

    /// A fresh empty directory for one test, inside ``runDirectory``.
    public static func temporaryDirectory(_ label: String = "accordion-test") -> URL {
        let url = runDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// One directory under the system temporary directory for all of this test process's files,
    /// removed when the process exits normally (a suite run makes several hundred). Its name is
    /// short: the test cluster's Unix sockets live below it, and their paths may not pass 108 bytes.
    public static let runDirectory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("acc-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestSupport.runDirectory) }
        return url
    }()

    /// The reference answers of `Tests/Fixtures/reference/estimators.json` for one dataset.
    public static func referenceEstimates(_ dataset: String) throws -> [String: Double] {
        let data = try Data(contentsOf: fixture("reference/estimators.json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let sets = root?["datasets"] as? [String: Any]
        let entry = sets?[dataset] as? [String: Any]
        var out: [String: Double] = [:]
        for (k, v) in entry?["estimates"] as? [String: Any] ?? [:] {
            if let d = (v as? [String: Any])?["value"] as? Double { out[k] = d }
        }
        for (k, v) in entry?["twonn_exact"] as? [String: Any] ?? [:] {
            if let d = v as? Double { out["exact." + k] = d }
        }
        return out
    }

    /// Whether `a` and `b` agree to `relative` tolerance.
    public static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b), 1e-300)
    }
}

extension TestSupport {
    /// The `accordion` executable built beside the test bundle.
    public static var accordionExecutable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("accordion")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return repositoryRoot.appendingPathComponent(".build/debug/accordion")
    }

    /// Runs `accordion` with arguments; returns exit status and combined output.
    ///
    /// With a `timeout`, a process still running after that many seconds is killed (status 9 by
    /// signal), so a test of something that must not hang fails instead of hanging the suite.
    @discardableResult
    public static func runAccordion(_ arguments: [String], directory: URL? = nil,
                                    timeout: Double? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = accordionExecutable
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let pid = p.processIdentifier
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Writes `text` to a new file in a fresh temporary directory and returns its path.
    public static func writeSpec(_ text: String, name: String = "spec.yaml") throws -> URL {
        let url = temporaryDirectory("spec").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
