import AccordionTestSupport
import Foundation
import ResultBundles
import Testing

/// A bundle whose own records are damaged is reported with the file named, never read as if the
/// record were absent (a report without its commit, a rerun with other data paths).
@Suite("Damaged bundle records")
struct DamagedBundleTests {
    /// One finished run of the tiny spec, its bundle copied so each test damages its own.
    static func bundle(_ name: String) throws -> URL {
        let results = TestSupport.temporaryDirectory(name)
        let spec = try TestSupport.writeSpec(CacheTests.tiny)
        let run = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(run.status == 0, "\(run.output)")
        return try #require(BundleReader.bundles(under: results).first)
    }

    @Test("A malformed provenance.json stops the Markdown summary, naming the file")
    func provenance() throws {
        let bundle = try Self.bundle("damaged-provenance")
        let file = bundle.appendingPathComponent("provenance.json")
        try "{\"tool\": 3}".write(to: file, atomically: true, encoding: .utf8)
        let r = try TestSupport.runAccordion(["report", "--markdown", bundle.path])
        #expect(r.status != 0, "\(r.output)")
        #expect(r.output.contains("provenance.json: not a valid provenance.json"), "\(r.output)")
        #expect(!r.output.contains("### tiny"), "a summary was printed without its provenance:\n\(r.output)")
    }

    @Test("A malformed resolved.json stops a rerun before anything runs, naming the file")
    func resolved() throws {
        let bundle = try Self.bundle("damaged-resolved")
        try "[1, 2".write(to: bundle.appendingPathComponent("resolved.json"), atomically: true, encoding: .utf8)
        let results = TestSupport.temporaryDirectory("damaged-resolved-rerun")
        let r = try TestSupport.runAccordion(["rerun", bundle.path, "--results", results.path])
        #expect(r.status != 0, "\(r.output)")
        #expect(r.output.contains("resolved.json: not a valid resolved.json"), "\(r.output)")
        #expect(BundleReader.bundles(under: results).isEmpty, "the rerun went ahead")
    }
}
