import Foundation

/// Writes a report to disk: `figures/<name>.svg` for every figure and `report.html`.
public enum ReportWriter {
    /// Renders `input` and writes the files under `directory` (created if needed).
    ///
    /// Each file is written to a temporary name and renamed, so a crash never leaves half a file
    /// under a real name. Returns the written files, figures first.
    @discardableResult
    public static func write(_ input: ReportInput, to directory: URL) throws -> [URL] {
        let figures = Figures.all(for: input)
        let figureDirectory = directory.appendingPathComponent("figures")
        try FileManager.default.createDirectory(at: figureDirectory, withIntermediateDirectories: true)
        var written: [URL] = []
        for figure in figures {
            let url = figureDirectory.appendingPathComponent(figure.name + ".svg")
            try Data(figure.svg.utf8).write(to: url, options: .atomic)
            written.append(url)
        }
        let report = directory.appendingPathComponent("report.html")
        try Data(HTMLReport.render(input, figures: figures).utf8).write(to: report, options: .atomic)
        written.append(report)
        return written
    }
}
