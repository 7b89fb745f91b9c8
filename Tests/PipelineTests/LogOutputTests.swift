import AccordionTestSupport
import Foundation
import Testing

/// Redirected run output is a short, dated log.
@Suite("Redirected logs")
struct LogOutputTests {
    @Test("one dated line per finished stage, none for starts, none for cache hits on a rerun")
    func shortDatedLog() throws {
        let results = TestSupport.temporaryDirectory("log-output")
        let spec = try TestSupport.writeSpec("""
            name: logs
            data: {dataset: manifold, manifold: {kind: hypercube, dimension: 3, ambient: 10, train_points: 200, test_points: 100}}
            model: {depth: 1, width: 8}
            train: {epochs: 1}
            probe: {epochs: [0, 1], size: 100, split: train}
            estimators: {pr: {}}
            """)
        let first = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(first.status == 0, "\(first.output)")
        let progress = first.output.split(separator: "\n").filter { $0.contains(" stages done (") }
        #expect(!progress.isEmpty, "\(first.output)")
        let dated = try Regex(#"^\d\d:\d\d:\d\d \["#)
        #expect(progress.allSatisfy { $0.prefixMatch(of: dated) != nil }, "\(progress)")
        #expect(!first.output.split(separator: "\n").contains { $0.hasSuffix(" started") }, "\(first.output)")
        // Every computed stage has exactly one line.
        let stages = try #require(first.output.split(separator: "\n").first { $0.contains(" stages: ") && $0.contains(" computed") })
        let computed = try #require(Int(stages.split(separator: " ").first ?? ""))
        #expect(progress.count == computed, "\(first.output)")

        let again = try TestSupport.runAccordion(["run", spec.path, "--results", results.path])
        #expect(again.status == 0, "\(again.output)")
        #expect(!again.output.contains(" stages done ("), "cache hits print nothing: \(again.output)")
        #expect(again.output.contains("0 computed, \(computed) cached"), "\(again.output)")
    }
}
