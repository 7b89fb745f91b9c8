import Foundation
import Pipeline

/// Progress output: on a terminal, in-epoch progress is one line redrawn in place; otherwise
/// (a pipe, a log file, CI) every progress line is a plain line, at most every 10 s.
final class TerminalOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive = isatty(STDOUT_FILENO) == 1
    private var transientShown = false

    /// A line that stays.
    func line(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearTransient()
        print(text)
    }

    /// The in-epoch progress reporter for ``RunOptions``.
    var progress: TrainingProgress {
        guard interactive else { return TrainingProgress(interval: 10, report: { [weak self] in self?.line($0) }) }
        return TrainingProgress(interval: 1, report: { [weak self] text in
            guard let self else { return }
            self.lock.lock(); defer { self.lock.unlock() }
            FileHandle.standardOutput.write(Data(("\r" + text + "\u{1B}[K").utf8))
            self.transientShown = true
        })
    }

    private func clearTransient() {
        if transientShown {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            transientShown = false
        }
    }
}
