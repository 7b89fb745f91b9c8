import Foundation
@testable import Pipeline

/// Waiting for a run in another process to be inside its training loop, so a test can stop it
/// there instead of guessing how long to sleep.
enum TrainingUnderWay {
    /// Waits until the train stage `key` under `results` has written its epoch-0 metrics into its
    /// scratch directory (its training loop runs next) while it is not yet published; true if
    /// that happened before `timeout` seconds.
    static func wait(for key: String, under results: URL, timeout: TimeInterval = 120) -> Bool {
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let tmp = store.root.appendingPathComponent("tmp")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !store.isDone(key) {
            let scratches = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
            if scratches.contains(where: {
                $0.hasPrefix(key + ".") && FileManager.default.fileExists(atPath: tmp.appendingPathComponent($0).appendingPathComponent("metrics.jsonl").path)
            }) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }
}
