import AccordionTestSupport
import Foundation
import Testing
@testable import Reports

@Suite("Report input and writer")
struct ReportInputTests {
    @Test("the input round-trips through JSON with snake_case keys")
    func codable() throws {
        let input = SampleData.sweep()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(input)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"layer_index\"", "\"test_accuracy\"", "\"train_loss\"", "\"noise_scale\"", "\"resolved_spec\""] {
            #expect(text.contains(key), "missing \(key)")
        }
        #expect(!text.contains("layerIndex"))
        #expect(try JSONDecoder().decode(ReportInput.self, from: data) == input)
    }

    @Test("a missing estimate decodes from null and from an absent key")
    func missingValue() throws {
        let json = #"[{"point":0,"epoch":1,"layer":"fc1","layer_index":1,"estimator":"mle","value":null},"# +
            #"{"point":0,"epoch":1,"layer":"fc1","layer_index":1,"estimator":"pr"}]"#
        let rows = try JSONDecoder().decode([ReportInput.Estimate].self, from: Data(json.utf8))
        #expect(rows.map(\.value) == [nil, nil])
        #expect(rows.map(\.error) == [nil, nil])
    }

    @Test("the writer puts every figure under figures/ and report.html beside it")
    func writer() throws {
        let input = SampleData.sweep()
        // ACCORDION_REPORT_SAMPLE_DIR keeps the sample report for a look in a browser.
        let directory = ProcessInfo.processInfo.environment["ACCORDION_REPORT_SAMPLE_DIR"].map { URL(fileURLWithPath: $0) }
            ?? TestSupport.temporaryDirectory("accordion-report")
        let written = try ReportWriter.write(input, to: directory)
        let names = Figures.all(for: input).map { "figures/\($0.name).svg" } + ["report.html"]
        #expect(written.map { $0.path.replacingOccurrences(of: directory.path + "/", with: "") } == names)
        for url in written {
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(!text.isEmpty)
            _ = try XMLDocument.parse(text)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("figures").path)
        #expect(!files.contains { !$0.hasSuffix(".svg") }, "temporary files left behind: \(files)")
        try Data(TerminalReport.render(input).utf8).write(to: directory.appendingPathComponent("terminal.txt"))
        if ProcessInfo.processInfo.environment["ACCORDION_REPORT_SAMPLE_DIR"] != nil {
            for edge in SampleData.edgeCases() {
                try ReportWriter.write(edge.input, to: directory.appendingPathComponent("edge-" + Figures.slug(edge.id)))
            }
        }
    }
}
