import Foundation
import Testing
@testable import Reports

@Suite("HTML report")
struct HTMLReportTests {
    static let sweep = SampleData.sweep()
    static let html = HTMLReport.render(sweep)

    static func section(_ root: XMLNode, _ id: String) -> XMLNode? {
        root.all("section").first { $0["id"] == id }
    }

    @Test("the report is one well-formed document with every figure inline")
    func wellFormed() throws {
        let root = try XMLDocument.parse(Self.html)
        #expect(root.name == "html")
        let figures = Figures.all(for: Self.sweep)
        let inline = root.all("figure")
        #expect(inline.map { $0["id"] } == figures.map { "fig-\($0.name)" })
        for figure in inline {
            #expect(figure.all("svg").count == 1)
            #expect(!(figure.all("figcaption").first?.allText.isEmpty ?? true))
        }
        #expect(root.all("h1").first?.allText == Self.sweep.name)
        #expect(root.allText.contains(Self.sweep.description))
    }

    @Test("nothing is fetched or run: no scripts, no external references")
    func selfContained() throws {
        let root = try XMLDocument.parse(Self.html)
        #expect(root.all("script").isEmpty)
        #expect(root.all("link").isEmpty && root.all("img").isEmpty && root.all("iframe").isEmpty)
        for node in root.descendants {
            #expect(node["src"] == nil)
            if let href = node["href"] { #expect(href.hasPrefix("#"), "external link \(href)") }
        }
        let style = try #require(root.all("style").first).allText
        #expect(!style.contains("url(") && !style.contains("@import"))
    }

    @Test("the run-point table lists every point with its accuracy and last-hidden-layer ID")
    func pointsTable() throws {
        let root = try XMLDocument.parse(Self.html)
        let table = try #require(Self.section(root, "points")?.all("table").first)
        let rows = table.all("tr").filter { $0["data-point"] != nil }
        #expect(rows.map { $0["data-point"] } == Self.sweep.points.map { "\($0.index)" })
        for (row, point) in zip(rows, Self.sweep.points) {
            let cells = row.all("td").map(\.allText)
            #expect(cells[1] == point.label)
            #expect(cells[2] == point.assignments["model.width"])
            let lastAccuracy = Self.sweep.metrics.last { $0.point == point.index }?.testAccuracy
            #expect(cells[5] == Format.percent(point.testAccuracy ?? lastAccuracy))
            let last = Self.sweep.estimates.filter { $0.point == point.index }.map(\.epoch).max()
            // The last hidden layer: index 6 (`fc6`); index 7 is the logits.
            #expect(SampleData.layers[6] != "logits" && SampleData.layers[7] == "logits")
            let pr = Self.sweep.estimates.first { $0.point == point.index && $0.epoch == last && $0.layerIndex == 6 && $0.estimator == "pr" }
            #expect(cells[6] == Format.measurement(pr?.value))
        }
        let failed = rows.filter { $0["class"] == "failed" }
        #expect(failed.map { $0["data-point"] } == ["11"])
        #expect(failed.first?.all("td").last?.allText == "failedto epoch 2")
        #expect(failed.first?.all("td").last?["title"] == "train[width=1024,lr=0.1,seed=1]")
    }

    @Test("failures are listed prominently, above the tables and figures")
    func failures() throws {
        let root = try XMLDocument.parse(Self.html)
        let failures = try #require(Self.section(root, "failures"))
        #expect(failures["role"] == "alert")
        #expect(failures.allText.contains("train[width=1024,lr=0.1,seed=1]"))
        #expect(failures.allText.contains("diverged at epoch 3 step 412: loss is nan"))
        let sections = root.all("section").compactMap { $0["id"] }
        #expect(sections.first == "failures")
        let clean = HTMLReport.render(ReportInput(name: "ok", points: [], estimates: []))
        #expect(!clean.contains("id=\"failures\""))
    }

    @Test("the resolved spec is shown indented inside <details>, and provenance as a table")
    func specAndProvenance() throws {
        let root = try XMLDocument.parse(Self.html)
        let pre = try #require(Self.section(root, "spec")?.all("details").first?.all("pre").first)
        #expect(pre.allText.contains("\"batch_size\" : 64"))
        #expect(pre.allText.split(separator: "\n").count > 10)
        let provenance = try #require(Self.section(root, "provenance"))
        for entry in Self.sweep.provenance {
            #expect(provenance.all("tr").contains { $0.all("th").first?.allText == entry.key && $0.all("td").first?.allText == entry.value })
        }
    }

    @Test("every edge case renders a well-formed report that names each point and failure", arguments: SampleData.edgeCases())
    func edgeCases(_ edge: SampleData.EdgeCase) throws {
        let html = HTMLReport.render(edge.input)
        let root = try XMLDocument.parse(html)
        #expect(root.all("script").isEmpty)
        let text = root.allText
        for point in edge.input.points { #expect(text.contains(point.label)) }
        for failure in edge.input.failures {
            #expect(Self.section(root, "failures")?.allText.contains(failure.reason) == true)
            #expect(text.contains(failure.stage))
        }
        #expect(root.all("h1").first?.allText == edge.input.name)
        #expect(!html.contains("NaN"))
    }
}
