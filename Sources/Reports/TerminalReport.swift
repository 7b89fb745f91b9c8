import Foundation
/// Plain-text summaries for a terminal: a run-point table and a per-layer ID profile per point.
///
/// ```
/// quickstart — 2 run points · swept: model.width · estimators: pr, twonn · probed epochs: 0, 10 · 1 failure
///
/// Run points (estimator columns: last-hidden-layer ID at the last probed epoch)
///  #  label      model.width  test acc     pr          twonn
///  ───────────────────────────────────────────────────────────
///  0  width=64   64             85.2 %  1.560  3.446 ± 0.103
///  1  width=128  128            61.0 %  4.210  9.020 ± 0.400  FAILED
///
/// ID profiles at the last probed epoch (input → output layer; · = missing)
///  0 width=64 (epoch 10)
///    pr     ▂▅█▆▃▁   4.1  9.8 15.2 12.0  7.3  1.6
///    twonn  ▂▅██▃▁  11.9 32.5 48.8 41.1  ·    3.4
/// ```
public enum TerminalReport {
    public struct Options: Sendable, Equatable {
        /// Unicode sparklines and rules; `false` gives plain ASCII for dumb terminals and logs.
        public var unicode: Bool
        /// Labels longer than this are cut with an ellipsis.
        public var maxLabelWidth: Int

        public init(unicode: Bool = true, maxLabelWidth: Int = 28) {
            self.unicode = unicode
            self.maxLabelWidth = maxLabelWidth
        }
    }

    /// Title, run-point table, ID profiles and failures.
    public static func render(_ input: ReportInput, options: Options = Options()) -> String {
        let data = ReportData(input)
        let title = clean(input.name) + (options.unicode ? " — " : " - ")
        var out = title + clean(HTMLReport.summary(data, separator: options.unicode ? " · " : " | ")) + "\n\n"
        if let warning = data.probeSizeWarning { out += "warning: " + warning + "\n\n" }
        if data.hasEstimates {
            out += "Run points (estimator columns: last-hidden-layer ID at the last probed epoch)\n"
        }
        out += pointTable(data, options: options)
        if data.anyErrorBar {
            out += ascii("± is the probe-subsample spread of one run (n = 1), not a confidence interval.\n", options)
        }
        if data.replicated {
            out += "\nConfigurations (mean across replicates [95 % CI], last hidden layer, last probed epoch)\n"
            out += configurationTable(data, options: options)
        }
        let profiles = self.profiles(data, options: options)
        if !profiles.isEmpty { out += "\n" + profiles }
        if !input.failures.isEmpty {
            out += "\n\(input.failures.count) failure\(input.failures.count == 1 ? "" : "s"):\n"
            for failure in input.failures { out += "  error: stage \(clean(failure.stage)): \(clean(failure.reason))\n" }
        }
        return out
    }

    /// The run points with their swept values, test accuracy and final-layer ID per estimator.
    public static func pointTable(_ input: ReportInput, options: Options = Options()) -> String {
        pointTable(ReportData(input), options: options)
    }

    /// A compact per-layer ID profile (sparkline and values) per point and estimator.
    public static func profiles(_ input: ReportInput, options: Options = Options()) -> String {
        profiles(ReportData(input), options: options)
    }

    static func pointTable(_ data: ReportData, options: Options) -> String {
        var header = ["#", "label"] + data.sweepAxes.map(clean) + ["test acc"] + data.estimators.map(clean)
        var rows: [[String]] = []
        for point in data.points {
            var row = [String(point.index), cut(point.label, options)]
            row += data.sweepAxes.map { cut(point.assignments[$0] ?? missing(options), options) }
            row.append(ascii(Format.percent(data.finalTestAccuracy(point: point)), options))
            for estimator in data.estimators {
                let estimate = data.finalLayerEstimate(point: point.index, estimator: estimator)
                row.append(ascii(Format.measurement(estimate?.value, error: estimate?.error), options))
            }
            row.append(data.failures(point: point.index).isEmpty ? "" : "FAILED")
            rows.append(row)
        }
        header.append("")
        let numeric = Set([0] + Array(header.count - 2 - data.estimators.count ..< header.count - 1))
        return table(header: header, rows: rows, rightAligned: numeric, options: options)
    }

    /// Per configuration: its replicate count and, per estimator, the mean and 95 % CI of the
    /// last hidden layer at the last probed epoch.
    static func configurationTable(_ data: ReportData, options: Options) -> String {
        let header = ["configuration", "n"] + data.estimators.map(clean)
        var rows: [[String]] = []
        for c in data.configurations {
            var row = [cut(c.label, options), String(data.replicates(configuration: c))]
            for estimator in data.estimators {
                guard let s = data.finalSummary(configuration: c, estimator: estimator)?.summary else {
                    row.append(missing(options))
                    continue
                }
                var text = Format.measurement(s.mean)
                if let low = s.ciLow, let high = s.ciHigh { text += " [\(Format.measurement(low)), \(Format.measurement(high))]" }
                row.append(ascii(text, options))
            }
            rows.append(row)
        }
        return table(header: header, rows: rows, rightAligned: Set(1..<header.count), options: options)
    }

    static func profiles(_ data: ReportData, options: Options) -> String {
        guard data.hasEstimates else { return "" }
        let missingMark = options.unicode ? "·" : "?"
        var out = "ID profiles at the last probed epoch (input → output layer; \(missingMark) = missing)\n"
        if !options.unicode { out = out.replacingOccurrences(of: "→", with: "->") }
        let nameWidth = data.estimators.map(\.count).max() ?? 0
        for point in data.points {
            guard let epoch = data.probedEpochs(point: point.index).last else { continue }
            let failed = data.failures(point: point.index).isEmpty ? "" : ", FAILED"
            out += " \(point.index) \(cut(point.label, options)) (epoch \(epoch)\(failed))\n"
            let rows = data.estimators.map { estimator in
                (estimator, data.profile(point: point.index, epoch: epoch, estimator: estimator).map(\.value))
            }
            // One width for every value of the point, so layers line up across estimators.
            let cells = rows.map { $0.1.map { $0.map(compact) ?? missingMark } }
            let cellWidth = cells.flatMap { $0.map(\.count) }.max() ?? 1
            for ((estimator, values), texts) in zip(rows, cells) {
                let numbers = texts.map { pad($0, cellWidth, right: true) }.joined(separator: " ")
                out += "   " + pad(clean(estimator), nameWidth) + "  " + sparkline(values, unicode: options.unicode) + "  " + numbers + "\n"
            }
        }
        return out
    }

    /// One character per value, scaled between the row's minimum and maximum; a constant row sits mid-height.
    static func sparkline(_ values: [Double?], unicode: Bool) -> String {
        let levels: [Character] = unicode ? Array("▁▂▃▄▅▆▇█") : Array("_.-~=+*#")
        let missingMark: Character = unicode ? "·" : "?"
        let present = values.compactMap { $0 }.filter(\.isFinite)
        guard let lo = present.min(), let hi = present.max() else { return String(repeating: missingMark, count: values.count) }
        return String(values.map { value -> Character in
            guard let value, value.isFinite else { return missingMark }
            guard hi > lo else { return levels[levels.count / 2] }
            let i = Int(((value - lo) / (hi - lo) * Double(levels.count - 1)).rounded())
            return levels[min(max(i, 0), levels.count - 1)]
        })
    }

    static func compact(_ value: Double) -> String {
        Format.fixed(value, decimals: abs(value) >= 100 ? 0 : 1)
    }

    static func missing(_ options: Options) -> String { options.unicode ? "—" : "-" }

    static func ascii(_ text: String, _ options: Options) -> String {
        options.unicode ? text : text.replacingOccurrences(of: "—", with: "-").replacingOccurrences(of: "±", with: "+-")
    }

    /// `text` without control characters, which could move the cursor or recolour the terminal.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    static func cut(_ raw: String, _ options: Options) -> String {
        let text = clean(raw)
        guard text.count > options.maxLabelWidth else { return text }
        return options.unicode
            ? String(text.prefix(max(1, options.maxLabelWidth - 1))) + "…"
            : String(text.prefix(max(1, options.maxLabelWidth - 3))) + "..."
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>, options: Options) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { pad($0.element, widths[$0.offset], right: rightAligned.contains($0.offset)) }
                .joined(separator: "  ")
            return " " + String(text.reversed().drop { $0 == " " }.reversed())
        }
        let rule = String(repeating: options.unicode ? "─" : "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        return ([line(header), " " + rule] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
