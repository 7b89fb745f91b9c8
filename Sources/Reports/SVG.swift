/// Escaping for XML 1.0 text and attribute values.
enum XML {
    /// `text` with `& < > " '` replaced by entities and the characters XML 1.0 forbids
    /// (C0 controls other than tab, newline and carriage return; U+FFFE, U+FFFF) dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// An append-only SVG (or XML) text builder with attribute escaping and indentation.
struct SVGBuilder {
    private(set) var lines: [String] = []
    private var depth = 0

    typealias Attributes = [(String, String)]

    private static func render(_ attributes: Attributes) -> String {
        attributes.map { " \($0.0)=\"\(XML.escape($0.1))\"" }.joined()
    }

    private var indent: String { String(repeating: "  ", count: depth) }

    /// Opens `<name …>`; pair with `close(name)`.
    mutating func open(_ name: String, _ attributes: Attributes = []) {
        lines.append("\(indent)<\(name)\(Self.render(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        lines.append("\(indent)</\(name)>")
    }

    /// An empty element `<name …/>`.
    mutating func leaf(_ name: String, _ attributes: Attributes = []) {
        lines.append("\(indent)<\(name)\(Self.render(attributes))/>")
    }

    /// An element holding escaped text.
    mutating func element(_ name: String, _ attributes: Attributes = [], text: String) {
        lines.append("\(indent)<\(name)\(Self.render(attributes))>\(XML.escape(text))</\(name)>")
    }

    /// A `<text>` element at (x, y).
    mutating func text(_ content: String, x: Double, y: Double, size: Double = Style.tickFont,
                       anchor: String = "start", extra: Attributes = []) {
        var attributes: Attributes = [("x", Format.coordinate(x)), ("y", Format.coordinate(y))]
        if size != Style.tickFont { attributes.append(("font-size", Format.coordinate(size))) }
        if anchor != "start" { attributes.append(("text-anchor", anchor)) }
        element("text", attributes + extra, text: content)
    }

    var output: String { lines.joined(separator: "\n") + "\n" }
}

/// Sizes and colours shared by every figure.
enum Style {
    static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    static let titleFont = 16.0
    static let panelTitleFont = 13.0
    static let labelFont = 13.0
    static let tickFont = 12.0
    static let legendFont = 12.0
    static let ink = "#222222"
    static let muted = "#555555"
    static let grid = "#e4e4e4"
    static let axis = "#333333"

    /// Approximate rendered width of `text` at `size` px in a sans-serif face.
    ///
    /// SVG has no text metrics without a renderer; 0.6 em per character over-estimates most
    /// strings slightly, which errs on the side of more room.
    static func textWidth(_ text: String, size: Double) -> Double {
        var width = 0.0
        for ch in text {
            if ch.isUppercase || ch == "m" || ch == "w" || ch == "M" || ch == "W" { width += 0.72 }
            else if ch == "." || ch == "," || ch == "i" || ch == "l" || ch == "j" || ch == "'" || ch == "|" { width += 0.3 }
            else if ch == " " { width += 0.32 }
            else { width += 0.58 }
        }
        return width * size
    }

    /// `text` broken at spaces into lines no wider than `width` (a single long word stays whole).
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if !current.isEmpty && textWidth(candidate, size: size) > width {
                lines.append(current)
                current = String(word)
            } else {
                current = candidate
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// `text` cut to `maximum` characters with an ellipsis.
    static func truncate(_ text: String, to maximum: Int) -> String {
        text.count <= maximum ? text : String(text.prefix(max(1, maximum - 1))) + "…"
    }
}

/// Colour-blind-safe colours.
enum Palette {
    /// Okabe & Ito (2008), "Color Universal Design", ordered for contrast on white; yellow last.
    static let categorical = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

    static func categorical(_ index: Int) -> String { categorical[((index % categorical.count) + categorical.count) % categorical.count] }

    /// Viridis stops (van der Walt & Smith, matplotlib 2015), perceptually uniform and readable
    /// with colour-vision deficiencies; the palest yellow end is left out so lines stay visible on white.
    private static let viridis: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44),
    ]

    /// A colour on the sequential ramp at `t` ∈ [0, 1] (dark purple → green-yellow).
    static func sequential(_ t: Double) -> String {
        let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(viridis.count - 1)
        let i = min(Int(u), viridis.count - 2)
        let f = u - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return hex(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// `count` colours spread evenly along the ramp.
    static func sequential(count: Int) -> [String] {
        guard count > 1 else { return [sequential(0.0)] }
        return (0..<count).map { sequential(Double($0) / Double(count - 1)) }
    }

    private static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        let digits = Array("0123456789abcdef")
        func byte(_ v: Int) -> String { let c = min(max(v, 0), 255); return String([digits[c / 16], digits[c % 16]]) }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
