import Foundation

/// What a terminal shows while a run is going: one header line with the counts, the time so far
/// and the ETA, then one line per running stage (longest running first) with how long it has
/// been running and its latest progress (a train stage's epoch and step):
///
/// ```
/// [12 of 157 stages done (1 cached, 0 failed)] 3m02s elapsed, ETA 4m10s
///    1m12s train[width=512,seed=1] epoch 3/10 step 120/937 loss 0.4123, 3012 samples/s
///     4.2s estimate[width=512,seed=1,epoch=0,h2,twonn]
/// ```
///
/// Plain data; ``lines(width:maxRunning:)`` is a pure function of it, so the drawing is tested
/// without clocks.
public struct LiveStatus: Sendable, Equatable {
    public struct Running: Sendable, Equatable {
        public var name: String
        public var elapsed: Double
        public var detail: String?

        public init(name: String, elapsed: Double, detail: String? = nil) {
            self.name = name
            self.elapsed = elapsed
            self.detail = detail
        }
    }

    /// Stages settled (computed, cached, failed or skipped), of `total`.
    public var settled: Int
    public var total: Int
    public var cached: Int
    public var failed: Int
    /// Seconds since the run started.
    public var elapsed: Double
    public var eta: RunETA.Estimate
    public var running: [Running]

    public init(settled: Int, total: Int, cached: Int, failed: Int, elapsed: Double, eta: RunETA.Estimate,
                running: [Running]) {
        self.settled = settled
        self.total = total
        self.cached = cached
        self.failed = failed
        self.elapsed = elapsed
        self.eta = eta
        self.running = running
    }

    /// The status block: the header, then at most `maxRunning` running stages (and a line saying
    /// how many more run), every line cut to `width` columns with an ellipsis. A header that does
    /// not fit is shortened to `[settled/total] ETA …, … elapsed` first.
    public func lines(width: Int, maxRunning: Int = 8) -> [String] {
        let full = "[\(settled) of \(total) stages done (\(cached) cached, \(failed) failed)] "
            + "\(Self.duration(elapsed)) elapsed, \(Self.eta(eta))"
        // On a narrow terminal the counts shrink before the ETA is cut off.
        let short = "[\(settled)/\(total)] \(Self.eta(eta)), \(Self.duration(elapsed)) elapsed"
        var out = [full.count <= width ? full : short]
        let shown = running.sorted { ($0.elapsed, $1.name) > ($1.elapsed, $0.name) }
        for r in shown.prefix(max(maxRunning, 0)) {
            let time = Self.duration(r.elapsed)
            var line = String(repeating: " ", count: max(0, 8 - time.count)) + time + " " + r.name
            if let detail = r.detail, !detail.isEmpty { line += " " + detail }
            out.append(line)
        }
        if shown.count > maxRunning { out.append("  … and \(shown.count - maxRunning) more running") }
        return out.map { Self.truncate($0, to: width) }
    }

    /// `line` cut to `width` characters, the last one an ellipsis when something was cut.
    public static func truncate(_ line: String, to width: Int) -> String {
        let width = max(width, 1)
        guard line.count > width else { return line }
        return String(line.prefix(width - 1)) + "…"
    }

    /// `ETA 4m10s`, `ETA ≥4m10s` (closing stages not counted) or `ETA —` (not known yet).
    public static func eta(_ e: RunETA.Estimate) -> String {
        switch e {
        case .unknown: return "ETA —"
        case .seconds(let s): return "ETA " + duration(s)
        case .atLeast(let s, _): return "ETA ≥" + duration(s)
        }
    }

    /// A short duration: `4.2s` under ten seconds, `42s`, `3m02s`, `1h05m`; `>99h` beyond.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "—" }
        let s = max(seconds, 0)
        if s < 10 { return String(format: "%.1fs", s) }
        let whole = Int(s.rounded(.down))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        if whole < 100 * 3600 { return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60) }
        return ">99h"
    }
}
