import CStdio
import Foundation
import Pipeline
import Reports
import ResultBundles

/// Progress output: on a terminal, a status block redrawn in place below the lines that stay;
/// otherwise (a pipe, a log file, CI) every progress line is a plain line, at most every 10 s.
///
/// Redirected output is kept short and dated, for logs: each line starts with the UTC time
/// (`HH:MM:SS`), a stage gets one line when it finishes and none when it starts, and stages
/// reused from the cache get none (the closing summary counts them). Stage lines are worded from
/// the executor's ``StageEvent``s, never parsed out of its text.
///
/// On a terminal, once the executor has said which stages it will run (``StageEvent``), the
/// bottom of the screen holds a ``LiveStatus``: the counts, the time so far and the ETA, then one
/// line per running stage with how long it has run and, for a train stage, its epoch and step.
/// It is redrawn every second and whenever a stage starts, ends or reports progress, each line
/// cut to the terminal's width, and erased for good when the run ends, before the summary.
final class TerminalOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive: Bool
    private var transientShown = false
    /// The run as its stage events tell it: the line of each stage that ends, and the state
    /// behind the status block.
    private var tally = StageTally()
    /// Whether the status block is up: from the run's plan until it finishes or is interrupted.
    private var live = false
    /// Lines of the status block on screen now; the cursor is at the start of the line below it.
    private var drawnLines = 0
    private var ticker: DispatchSourceTimer?
    /// When the block was last drawn: bursts of events (a run of cache hits) redraw it at most
    /// every 0.1 s, the ticker catching up.
    private var lastDraw = Date.distantPast
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
        if interactive, live, text.hasPrefix("interrupted (signal") {
            // The process exits right after this line: leave no status block under it.
            stopLive()
            print(text)
        } else if interactive, live {
            write(eraseBlock() + text + "\n" + (due() ? block() : ""))
        } else if interactive {
            print(text)
        } else {
            print(clock.string(from: Date()) + " " + text)
        }
    }

    /// The in-epoch progress reporter for ``RunOptions``.
    var progress: TrainingProgress {
        guard interactive else { return TrainingProgress(interval: 10, report: { [weak self] in self?.line($0) }) }
        return TrainingProgress(interval: 1, update: { [weak self] update in
            guard let self else { return }
            self.lock.lock(); defer { self.lock.unlock() }
            // Routed by the stage's key to its line in the block; shown on its own line otherwise.
            if self.live, self.tally.progress(update) {
                self.write(self.eraseBlock() + self.block())
                return
            }
            FileHandle.standardOutput.write(Data(("\r" + update.line + "\u{1B}[K").utf8))
            self.transientShown = true
        })
    }

    /// The receiver of the executor's stage events for ``RunOptions``: each stage that ends gets
    /// its line (``StageTally``) — on a terminal above the status block, which the events drive;
    /// in a redirected log dated, with the stages still running, and none for a cache hit.
    var stageEvents: (@Sendable (StageEvent) -> Void)? {
        { [weak self] event in self?.handle(event) }
    }

    /// Erases the status block for good (before the summary); safe to call more than once.
    func finish() {
        lock.lock(); defer { lock.unlock() }
        stopLive()
    }

    private func handle(_ event: StageEvent) {
        lock.lock(); defer { lock.unlock() }
        let ended = tally.apply(event)
        guard interactive else {
            if let (text, outcome) = ended, outcome != .cached {
                let running = tally.runningNames
                print(clock.string(from: Date()) + " " + text + (running.isEmpty ? "" : "; running: " + running.joined(separator: ", ")))
            }
            return
        }
        if let (text, _) = ended {
            clearTransient()
            write(eraseBlock() + text + "\n")
        }
        switch event {
        case .planned:
            clearTransient()
            live = true
            startTicker()
        case .finished:
            stopLive()
            return
        case .started, .ended:
            break
        }
        if live, due() { write(eraseBlock() + block()) }
    }

    /// Whether a redraw prompted by an event is due. Called with the lock held.
    private func due() -> Bool {
        Date().timeIntervalSince(lastDraw) >= 0.1
    }

    private func startTicker() {
        ticker?.cancel()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "accordion.status"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock(); defer { self.lock.unlock() }
            if self.live { self.write(self.eraseBlock() + self.block()) }
        }
        timer.resume()
        ticker = timer
    }

    /// Called with the lock held.
    private func stopLive() {
        ticker?.cancel()
        ticker = nil
        if live { write(eraseBlock()) }
        live = false
    }

    /// The status block's lines, each ending in a newline, fitted to the terminal. Called with
    /// the lock held.
    private func block() -> String {
        guard live, let run = tally.run else { drawnLines = 0; return "" }
        // One column short of the width: a line that fills the last column makes some terminals
        // wrap early, and the cursor arithmetic would then be off by one.
        // The cursor cannot move above the top of the screen: the block must fit below one line.
        let rows = Int(accordion_terminal_rows())
        let maxRunning = rows > 0 ? max(1, min(run.jobs, rows - 3)) : run.jobs
        let lines = run.status(now: Date()).lines(width: Self.columns() - 1, maxRunning: maxRunning)
        drawnLines = lines.count
        lastDraw = Date()
        return lines.map { $0 + "\n" }.joined()
    }

    /// Moves the cursor to the top of the status block and clears to the end of the screen.
    private func eraseBlock() -> String {
        defer { drawnLines = 0 }
        return drawnLines > 0 ? "\u{1B}[\(drawnLines)A\r\u{1B}[J" : ""
    }

    private func write(_ text: String) {
        guard !text.isEmpty else { return }
        accordion_flush_stdout()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func clearTransient() {
        if transientShown {
            FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
            transientShown = false
        }
    }

    /// The terminal's width: `COLUMNS` when set, else what the terminal says, else 80.
    static func columns() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        let n = Int(accordion_terminal_columns())
        return n > 0 ? n : 80
    }
}
