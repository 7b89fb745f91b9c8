import Foundation
import Testing

/// Reads back what a figure drew: panels with their scales, markers with their pixel centres.
struct FigureInspector {
    let root: XMLNode

    /// Attributes that must hold a finite number when present.
    static let numericAttributes: Set<String> = [
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height",
        "data-x", "data-y", "data-error", "data-low", "data-high", "data-value", "font-size", "stroke-width",
    ]
    /// Attributes holding lists of numbers (with path commands or functions mixed in).
    static let geometryAttributes: Set<String> = ["points", "d", "viewBox", "transform", "data-x-domain", "data-y-domain", "data-x-range", "data-y-range"]

    /// Parses `svg` and checks that it is an SVG 1.1 document whose numbers are all finite.
    init(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        root = try XMLDocument.parse(svg)
        #expect(root.name == "svg", sourceLocation: sourceLocation)
        #expect(root["xmlns"] == "http://www.w3.org/2000/svg", sourceLocation: sourceLocation)
        #expect(root["version"] == "1.1", sourceLocation: sourceLocation)
        #expect(root["viewBox"] != nil, sourceLocation: sourceLocation)
        for node in root.descendants {
            for (name, value) in node.attributes {
                if Self.numericAttributes.contains(name) {
                    let number = Double(value.hasSuffix("%") ? String(value.dropLast()) : value)
                    #expect(number?.isFinite == true, "\(node.name) \(name)=\"\(value)\" is not a finite number",
                            sourceLocation: sourceLocation)
                }
                if Self.geometryAttributes.contains(name) {
                    let lower = value.lowercased()
                    #expect(!lower.contains("nan") && !lower.contains("inf"), "\(node.name) \(name)=\"\(value)\"",
                            sourceLocation: sourceLocation)
                    for token in Self.numbers(in: value) {
                        #expect(token.isFinite, sourceLocation: sourceLocation)
                    }
                }
            }
        }
    }

    /// The numbers in a geometry attribute such as `M1 2V3` or `rotate(-45 10 20)`.
    static func numbers(in text: String) -> [Double] {
        var numbers: [Double] = []
        var current = ""
        func flush() {
            if let value = Double(current) { numbers.append(value) }
            current = ""
        }
        for ch in text {
            if ch.isNumber || ch == "." || (ch == "-" && current.isEmpty) || ch == "e" && !current.isEmpty {
                current.append(ch)
            } else {
                flush()
                if ch == "-" { current.append(ch) }
            }
        }
        flush()
        return numbers
    }

    var panels: [Panel] { root.all(class: "panel").map(Panel.init) }

    /// One set of axes with the scales recorded on its group.
    struct Panel {
        let node: XMLNode
        let x: Axis
        let y: Axis

        init(_ node: XMLNode) {
            self.node = node
            x = Axis(scale: node["data-x-scale"], domain: node["data-x-domain"], range: node["data-x-range"])
            y = Axis(scale: node["data-y-scale"], domain: node["data-y-domain"], range: node["data-y-range"])
        }

        var markers: [Marker] { node.all(class: "marker").map(Marker.init) }
        var series: [XMLNode] { node.all(class: "series") }
        var tickLabels: (x: [String], y: [String]) {
            (node.all(class: "x-axis").flatMap { $0.all("text") }.map(\.allText),
             node.all(class: "y-axis").flatMap { $0.all("text") }.map(\.allText))
        }
        var notes: [String] { node.all(class: "note").map(\.allText) }
    }

    struct Axis {
        let log: Bool
        let domain: (Double, Double)
        let range: (Double, Double)

        init(scale: String?, domain: String?, range: String?) {
            log = scale == "log"
            func pair(_ text: String?) -> (Double, Double) {
                let parts = (text ?? "").split(separator: " ").compactMap { Double($0) }
                return parts.count == 2 ? (parts[0], parts[1]) : (.nan, .nan)
            }
            self.domain = pair(domain)
            self.range = pair(range)
        }

        private func t(_ v: Double) -> Double { log ? Foundation.log10(v) : v }

        func pixel(_ value: Double) -> Double {
            range.0 + (t(value) - t(domain.0)) / (t(domain.1) - t(domain.0)) * (range.1 - range.0)
        }

        func value(_ pixel: Double) -> Double {
            let u = t(domain.0) + (pixel - range.0) / (range.1 - range.0) * (t(domain.1) - t(domain.0))
            return log ? pow(10, u) : u
        }

        /// How much data one pixel spans at `value`.
        func onePixel(at value: Double) -> Double { abs(self.value(pixel(value) + 1) - value) }

        func covers(_ value: Double) -> Bool { value >= min(domain.0, domain.1) && value <= max(domain.0, domain.1) }

        func pixelInside(_ p: Double) -> Bool { p >= min(range.0, range.1) - 0.01 && p <= max(range.0, range.1) + 0.01 }
    }

    /// A marker's recorded value and drawn centre.
    struct Marker {
        let node: XMLNode
        let dataX: Double
        let dataY: Double
        let error: Double?
        let centre: (x: Double, y: Double)

        init(_ node: XMLNode) {
            self.node = node
            dataX = Double(node["data-x"] ?? "") ?? .nan
            dataY = Double(node["data-y"] ?? "") ?? .nan
            error = node["data-error"].flatMap(Double.init)
            func number(_ name: String) -> Double { Double(node[name] ?? "") ?? .nan }
            switch node.name {
            case "circle":
                centre = (number("cx"), number("cy"))
            case "rect":
                centre = (number("x") + number("width") / 2, number("y") + number("height") / 2)
            default:
                let values = FigureInspector.numbers(in: node["points"] ?? "")
                let xs = stride(from: 0, to: values.count, by: 2).map { values[$0] }
                let ys = stride(from: 1, to: values.count, by: 2).map { values[$0] }
                centre = (xs.reduce(0, +) / Double(max(xs.count, 1)), ys.reduce(0, +) / Double(max(ys.count, 1)))
            }
        }

        /// The attribute on the enclosing series group.
        func series(_ attribute: String) -> String? { node.ancestor(class: "series")?[attribute] }
    }
}
