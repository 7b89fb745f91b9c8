import Foundation
import Pipeline

/// Progress output: on a terminal, in-epoch progress is one line redrawn in place; otherwise
/// (a pipe, a log file, CI) every progress line is a plain line, at most every 10 s.
///
/// Redirected output is kept short and dated, for logs: each line starts with the UTC time
/// (`HH:MM:SS`), a stage gets one line when it finishes and none when it starts, and stages
/// reused from the cache get none (the closing summary counts them).
final class TerminalOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive: Bool
    private var transientShown = false
    private let clock: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "HH:mm:ss"
        return f
    }()

    init(interactive: Bool = isatty(STDOUT_FILENO) == 1) {
        self.interactive = interactive
    }

    /// A line that stays.
    func line(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        clearTransient()
        if interactive {
            print(text)
        } else if let kept = Self.logLine(text) {
            print(clock.string(from: Date()) + " " + kept)
        }
    }

    /// What a redirected log keeps of a progress line: nil for a stage's start and for a cache
    /// hit; the line itself otherwise.
    static func logLine(_ text: String) -> String? {
        if !text.hasPrefix(" ") && !text.hasPrefix("[") && text.hasSuffix(" started") { return nil }
        if text.hasPrefix("["), text.contains(" stages done ("), text.range(of: #": cached(;|$)"#, options: .regularExpression) != nil {
            return nil
        }
        return text
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
