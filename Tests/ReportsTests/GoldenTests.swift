import Foundation
import Testing
@testable import Reports

@Suite("Golden files")
struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Compares `text` with `Golden/<name>`; a missing golden file is written and the test fails,
    /// so a fresh checkout never passes by accident. Delete the file to re-record it.
    static func assertGolden(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            Issue.record("golden file \(name) was missing; recorded it at \(url.path) — review it and rerun", sourceLocation: sourceLocation)
            return
        }
        if golden != text {
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
            let expected = line < a.count ? String(a[line]) : "<end of file>"
            let actual = line < b.count ? String(b[line]) : "<end of file>"
            Issue.record("\(name) differs at line \(line + 1):\n  golden: \(expected)\n  actual: \(actual)", sourceLocation: sourceLocation)
        }
    }

    @Test("the ID-by-layer figure of a tiny input matches its golden SVG")
    func tinyFigure() throws {
        let figure = try #require(Figures.all(for: SampleData.tiny()).first)
        #expect(figure.name == "id-by-layer")
        try Self.assertGolden(figure.svg, named: "id-by-layer-tiny.svg")
    }

    @Test("the terminal report of a tiny input matches its golden text")
    func tinyTerminal() throws {
        try Self.assertGolden(TerminalReport.render(SampleData.tiny()), named: "terminal-tiny.txt")
    }
}
