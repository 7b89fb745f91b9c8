import AccordionTestSupport
import Foundation
import Testing

/// The pandas snippet in docs/reports.md runs as written on the committed bundle it names.
@Suite("Documented pandas snippet")
struct PandasSnippetTests {
    /// Debian's interpreter, where `python3-pandas` installs (`make test` installs it).
    static let python = "/usr/bin/python3"

    static var pandasAvailable: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import pandas"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    @Test("the snippet loads results, summary and metrics with every row of the CSV files",
          .enabled(if: pandasAvailable, "needs /usr/bin/python3 with pandas (Debian python3-pandas; `make test` installs it)"))
    func snippet() throws {
        let doc = try String(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("docs/reports.md"), encoding: .utf8)
        let marker = try #require(doc.range(of: "<!-- pandas-snippet -->\n```python\n"))
        let end = try #require(doc.range(of: "\n```", range: marker.upperBound..<doc.endIndex))
        let code = String(doc[marker.upperBound..<end.lowerBound])
        #expect(code.split(separator: "\n").count == 3, "the docs promise three lines")
        let bundleLine = try #require(code.split(separator: "\n").first { $0.hasPrefix("bundle = ") })
        let bundle = TestSupport.repositoryRoot.appendingPathComponent(String(bundleLine.dropFirst("bundle = \"".count).dropLast()))
        func rows(_ name: String) throws -> Int {
            try String(contentsOf: bundle.appendingPathComponent("\(name).csv"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true).count - 1
        }
        let script = code + "\nprint(len(results), len(summary), len(metrics), 'model.width' in results.columns, results['value'].notna().all())\n"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.python)
        p.arguments = ["-c", script]
        p.currentDirectoryURL = TestSupport.repositoryRoot
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(try rows("results")) \(try rows("summary")) \(try rows("metrics")) True True", "\(text)")
    }
}

/// Values are compared only at one probe size, or the output says why not.
@Suite("Probe-size warnings")
struct ProbeSizeWarningTests {
    @Test("report --markdown warns when bundles of one dataset were probed at different sizes, not across datasets")
    func acrossBundles() throws {
        let results = TestSupport.temporaryDirectory("probe-sizes")
        defer { try? FileManager.default.removeItem(at: results) }
        func run(_ spec: String, _ overrides: [String] = []) throws -> String {
            let r = try TestSupport.runAccordion(["run", "--smoke", "--results", results.path,
                                                  TestSupport.repositoryRoot.appendingPathComponent("Experiments/\(spec).yaml").path] + overrides)
            #expect(r.status == 0, "\(r.output)")
            return try #require(r.output.split(separator: "\n").last { $0.hasPrefix("bundle: ") }).dropFirst(8).description
        }
        let small = try run("quickstart", ["probe.size=100"]), large = try run("quickstart"), manifolds = try run("manifolds")
        let mixed = try TestSupport.runAccordion(["report", "--markdown", "--results", results.path, small, large])
        #expect(mixed.status == 0, "\(mixed.output)")
        #expect(mixed.output.hasPrefix("> **Warning:** these bundles were probed at different sizes: 100 (quickstart); 200 (quickstart)."),
                "\(mixed.output)")
        #expect(mixed.output.contains("### Wall time") && mixed.output.contains("| **all 2** | 2 |"), "\(mixed.output)")
        let datasets = try TestSupport.runAccordion(["report", "--markdown", "--results", results.path, small, manifolds])
        #expect(datasets.status == 0 && !datasets.output.contains("Warning"), "\(datasets.output)")
        #expect(datasets.output.contains("### quickstart\n\nbundle `") && datasets.output.contains("### manifolds"), "\(datasets.output)")
    }
}
