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
    @Test("report --markdown over bundles probed at different sizes starts with a warning naming the sizes")
    func acrossBundles() throws {
        let root = TestSupport.repositoryRoot.appendingPathComponent("Results")
        let mixed = try TestSupport.runAccordion(["report", "--markdown", root.appendingPathComponent("quickstart").path,
                                                  root.appendingPathComponent("fashion-deepnet").path])
        #expect(mixed.status == 0, "\(mixed.output)")
        #expect(mixed.output.hasPrefix("> **Warning:** these bundles were probed at different sizes: 1000 (quickstart); 2000 (fashion-deepnet)."),
                "\(mixed.output)")
        let same = try TestSupport.runAccordion(["report", "--markdown", root.appendingPathComponent("quickstart").path,
                                                 root.appendingPathComponent("width-sweep").path])
        #expect(same.status == 0 && !same.output.contains("Warning"), "\(same.output)")
    }
}
