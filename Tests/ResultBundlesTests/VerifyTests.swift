import AccordionTestSupport
import Foundation
import Testing
import Tensors
@testable import ResultBundles

@Suite("Bundle integrity")
struct VerifyTests {
    /// A small finished bundle: the required files, a table, one stage file, and a manifest with
    /// the checksum of each.
    static func makeBundle(status: BundleStatus = .complete) throws -> BundleReader {
        let root = TestSupport.temporaryDirectory("bundle").appendingPathComponent("demo").appendingPathComponent("20260101-000000-abcd")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("stages/k1"), withIntermediateDirectories: true)
        for (name, text) in [("spec.yaml", "name: demo\n"), ("overrides.txt", ""), ("resolved.json", "{}\n"),
                             ("provenance.json", "{}\n"), ("results.csv", "point,value\n0,1.5\n"),
                             ("stages/k1/estimate.json", "{}\n")] {
            try AtomicWrite.write(text, to: root.appendingPathComponent(name))
        }
        let manifest = BundleManifest(formatVersion: BundleLayout.formatVersion, runID: root.lastPathComponent, experiment: "demo",
                                      status: status, started: "2026-01-01T00:00:00Z", finished: "2026-01-01T00:00:01Z",
                                      seconds: 1, points: 1, stages: [], files: try Checksums.records(under: root))
        try manifest.write(to: root)
        return try BundleReader(root)
    }

    static func rewrite(_ bundle: BundleReader, _ change: (inout BundleManifest) -> Void) throws -> BundleReader {
        var m = bundle.manifest
        change(&m)
        try m.write(to: bundle.layout.root)
        return try BundleReader(bundle.layout.root)
    }

    @Test("an untouched finished bundle has no problems")
    func clean() throws {
        #expect(BundleVerifier.integrity(try Self.makeBundle()).isEmpty)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var problem: String
        var apply: @Sendable (BundleReader) throws -> BundleReader
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "a running run's bundle", path: "bundle.json", problem: "the run never finished") { b in
            try rewrite(b) { $0.status = .running; $0.files = [] }
        },
        Case(name: "an interrupted run's bundle", path: "bundle.json", problem: "the run was interrupted") { b in
            try rewrite(b) { $0.status = .interrupted }
        },
        Case(name: "complete but without checksums", path: "bundle.json", problem: "records no files and no checksums") { b in
            try rewrite(b) { $0.files = [] }
        },
        Case(name: "a file added after the run", path: "notes.txt", problem: "present but not listed") { b in
            try AtomicWrite.write("later\n", to: b.layout.root.appendingPathComponent("notes.txt"))
            return b
        },
        Case(name: "a required file removed with its entry", path: "provenance.json", problem: "not in the file list") { b in
            try FileManager.default.removeItem(at: b.layout.provenance)
            return try rewrite(b) { $0.files.removeAll { $0.path == "provenance.json" } }
        },
        Case(name: "a listed file removed", path: "stages/k1/estimate.json", problem: "missing") { b in
            try FileManager.default.removeItem(at: b.layout.root.appendingPathComponent("stages/k1/estimate.json"))
            return b
        },
        Case(name: "a number edited", path: "results.csv", problem: "does not match") { b in
            try AtomicWrite.write("point,value\n0,1.6\n", to: b.layout.results)
            return b
        },
    ]

    @Test("verify names what is wrong", arguments: cases)
    func problems(_ c: Case) throws {
        let bundle = try c.apply(try Self.makeBundle())
        let problems = BundleVerifier.integrity(bundle)
        #expect(problems.contains { $0.path == c.path && $0.problem.contains(c.problem) }, "\(problems)")
    }

    @Test("a bundle.json that is not a manifest is named, with what is wrong, not a decoding dump")
    func malformedManifest() throws {
        let bundle = try Self.makeBundle()
        try AtomicWrite.write("{\"format_version\": 1, \"run_id\": 3}\n", to: bundle.layout.bundleJSON)
        #expect {
            _ = try BundleReader(bundle.layout.root)
        } throws: { error in
            let text = "\(error)"
            return text.contains("bundle.json") && !text.contains("DecodingError") && !text.contains("NSCocoaErrorDomain")
        }
    }
}
