import Testing
@testable import Reports

@Suite("Terminal report")
struct TerminalReportTests {
    struct SparkCase: CustomTestStringConvertible, Sendable {
        let id: String
        let values: [Double?]
        let unicode: String
        let ascii: String
        var testDescription: String { id }
    }

    @Test("sparklines scale each row between its extremes", arguments: [
        SparkCase(id: "rising", values: [1, 2, 3], unicode: "▁▅█", ascii: "_=#"),
        SparkCase(id: "hump with a gap", values: [0, 10, nil, 5], unicode: "▁█·▅", ascii: "_#?="),
        SparkCase(id: "constant", values: [4, 4], unicode: "▅▅", ascii: "=="),
        SparkCase(id: "all missing", values: [nil, nil], unicode: "··", ascii: "??"),
        SparkCase(id: "empty", values: [], unicode: "", ascii: ""),
    ])
    func sparkline(_ c: SparkCase) {
        #expect(TerminalReport.sparkline(c.values, unicode: true) == c.unicode)
        #expect(TerminalReport.sparkline(c.values, unicode: false) == c.ascii)
    }

    @Test("the table lists every point, marks the failed one, and aligns columns")
    func table() {
        let input = SampleData.sweep()
        let text = TerminalReport.pointTable(input)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == input.points.count + 2)
        #expect(lines[0].hasPrefix("  #  label"))
        for (line, point) in zip(lines.dropFirst(2), input.points) {
            #expect(line.contains(point.label))
            #expect(line.hasSuffix("FAILED") == (point.index == 11))
        }
        // Right-aligned accuracy column: every "%" in the same column.
        let columns = Set(lines.dropFirst(2).compactMap { line in line.firstIndex(of: "%").map { line.distance(from: line.startIndex, to: $0) } })
        #expect(columns.count == 1)
    }

    @Test("profiles show each point's last epoch, with missing values marked")
    func profiles() {
        let input = SampleData.sweep()
        let text = TerminalReport.profiles(input)
        #expect(text.contains(" 0 width=64,lr=0.01,seed=0 (epoch 10)"))
        #expect(text.contains(" 11 width=1024,lr=0.1,seed=1 (epoch 2, FAILED)"))
        let missingRow = text.split(separator: "\n").drop { !$0.hasPrefix(" 2 width=64,lr=0.1,seed=0") }.dropFirst(3).first
        #expect(missingRow?.hasPrefix("   mle    ·") == true)
        // Values line up across estimators: same length rows for one point.
        let block = text.split(separator: "\n").drop { !$0.hasPrefix(" 0 width=64,lr=0.01,seed=0") }.dropFirst().prefix(3)
        #expect(Set(block.map(\.count)).count == 1)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("   pr ") }
        #expect(rows.count == input.points.count)
    }

    @Test("the ASCII option emits only ASCII",
          arguments: SampleData.edgeCases() + [SampleData.EdgeCase(id: "sample sweep", input: SampleData.sweep())])
    func ascii(_ edge: SampleData.EdgeCase) {
        let input = edge.input
        let text = TerminalReport.render(input, options: .init(unicode: false))
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!text.contains("nan") || input.failures.contains { $0.reason.contains("nan") })
        for point in input.points { #expect(text.contains(point.label)) }
        for failure in input.failures { #expect(text.contains("error: stage \(failure.stage): \(failure.reason)")) }
    }

    @Test("long labels are cut to the configured width")
    func truncation() {
        let input = ReportInput(name: "t", points: [.init(index: 0, label: String(repeating: "w", count: 60))], estimates: [])
        let unicode = TerminalReport.pointTable(input, options: .init(unicode: true, maxLabelWidth: 10))
        let ascii = TerminalReport.pointTable(input, options: .init(unicode: false, maxLabelWidth: 10))
        #expect(unicode.contains("wwwwwwwww…") && !unicode.contains("wwwwwwwwww"))
        #expect(ascii.contains("wwwwwww...") && !ascii.contains("wwwwwwww."))
    }
}
