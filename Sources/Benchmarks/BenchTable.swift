import Foundation

/// One row of the training benchmark's table.
public struct BenchRow: Sendable {
    public var model: String
    /// `"1"`, `"2"`, or `"2×1"` for two single-thread trainings side by side.
    public var threads: String
    /// Cores the row may use, for the fraction of peak.
    public var cores: Int
    public var accordion: Double
    public var accordionPerCPUSecond: Double?
    public var torch: Double?
    public var torchPerCPUSecond: Double?
    public var flopsPerExample: Double
    public var accuracy: Double?
    public var torchAccuracy: Double?

    public init(model: String, threads: String, cores: Int, accordion: Double, accordionPerCPUSecond: Double? = nil,
                torch: Double? = nil, torchPerCPUSecond: Double? = nil, flopsPerExample: Double,
                accuracy: Double? = nil, torchAccuracy: Double? = nil) {
        (self.model, self.threads, self.cores, self.accordion) = (model, threads, cores, accordion)
        (self.accordionPerCPUSecond, self.torch, self.torchPerCPUSecond) = (accordionPerCPUSecond, torch, torchPerCPUSecond)
        (self.flopsPerExample, self.accuracy, self.torchAccuracy) = (flopsPerExample, accuracy, torchAccuracy)
    }
}

/// Renders benchmark rows as an aligned text table and as Markdown.
public enum BenchTable {
    static let header = ["model", "threads", "accordion samples/s", "pytorch samples/s", "ratio",
                         "ratio (CPU time)", "GFLOP/s", "of cores × peak", "test acc", "pytorch acc"]

    static func cells(_ r: BenchRow, peak: Double) -> [String] {
        let gflops = r.accordion * r.flopsPerExample / 1e9
        let cpuRatio: String
        if let a = r.accordionPerCPUSecond, let t = r.torchPerCPUSecond, r.cores == 1 {
            cpuRatio = String(format: "%.2f×", a / t)
        } else {
            cpuRatio = "–"
        }
        return [r.model, r.threads, String(format: "%.0f", r.accordion),
                r.torch.map { String(format: "%.0f", $0) } ?? "–",
                r.torch.map { String(format: "%.2f×", r.accordion / $0) } ?? "–",
                cpuRatio,
                String(format: "%.1f", gflops),
                peak > 0 ? String(format: "%.0f %%", 100 * gflops / (peak * Double(r.cores))) : "–",
                r.accuracy.map { String(format: "%.4f", $0) } ?? "–",
                r.torchAccuracy.map { String(format: "%.4f", $0) } ?? "–"]
    }

    /// Right-aligned columns, two spaces apart.
    public static func text(_ rows: [BenchRow], peak: Double) -> [String] {
        let table = [header] + rows.map { cells($0, peak: peak) }
        let widths = header.indices.map { c in table.map { $0[c].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { c, cell in String(repeating: " ", count: widths[c] - cell.count) + cell }
                .joined(separator: "  ")
        }
    }

    /// A Markdown table for docs/benchmarks.md.
    public static func markdown(_ rows: [BenchRow], peak: Double) -> [String] {
        ["| " + header.joined(separator: " | ") + " |",
         "|" + header.indices.map { $0 < 2 ? "---|" : "---:|" }.joined()]
            + rows.map { "| " + cells($0, peak: peak).joined(separator: " | ") + " |" }
    }
}
