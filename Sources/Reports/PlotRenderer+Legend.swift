/// The legend: entries flow left to right and wrap, above the panels.
extension PlotRenderer {
    static let legendRowHeight = 20.0
    static let legendSwatch = 30.0
    static let legendLabelLimit = 48

    struct LegendLayout {
        /// Left edge and row of each entry.
        var positions: [(x: Double, row: Int)]
        var height: Double
    }

    static func rampCellWidth(_ count: Int) -> Double { min(16, max(6, 120 / Double(max(count, 1)))) }

    static func legendItemWidth(_ entry: LegendEntry) -> Double {
        switch entry {
        case .series(let label, _, _, _, _):
            return legendSwatch + 6 + Style.textWidth(Style.truncate(label, to: legendLabelLimit), size: Style.legendFont) + 18
        case .band(let label, _), .errorBar(let label, _):
            return legendSwatch + 6 + Style.textWidth(Style.truncate(label, to: legendLabelLimit), size: Style.legendFont) + 18
        case .ramp(let title, let colors, let first, let last):
            return Style.textWidth(title, size: Style.legendFont) + 8 + Style.textWidth(first, size: Style.legendFont) + 6
                + Double(colors.count) * rampCellWidth(colors.count) + 6 + Style.textWidth(last, size: Style.legendFont) + 18
        }
    }

    static func layoutLegend(_ entries: [LegendEntry], width: Double) -> LegendLayout {
        guard !entries.isEmpty else { return LegendLayout(positions: [], height: 0) }
        var positions: [(x: Double, row: Int)] = []
        var x = 0.0, row = 0
        for entry in entries {
            let w = legendItemWidth(entry)
            if x > 0 && x + w > width {
                row += 1
                x = 0
            }
            positions.append((x, row))
            x += w
        }
        return LegendLayout(positions: positions, height: Double(row + 1) * legendRowHeight)
    }

    static func drawLegend(_ layout: LegendLayout, _ entries: [LegendEntry], x: Double, y: Double, into svg: inout SVGBuilder) {
        guard !entries.isEmpty else { return }
        svg.open("g", [("class", "legend")])
        for (entry, position) in zip(entries, layout.positions) {
            let left = x + position.x
            let middle = y + Double(position.row) * legendRowHeight + legendRowHeight / 2
            let baseline = middle + 4
            switch entry {
            case .series(let label, let color, let dashed, let hollow, let marker):
                svg.open("g", [("class", "legend-entry"), ("data-label", label)])
                var line: SVGBuilder.Attributes = [
                    ("x1", Format.coordinate(left)), ("x2", Format.coordinate(left + legendSwatch)),
                    ("y1", Format.coordinate(middle)), ("y2", Format.coordinate(middle)),
                    ("stroke", color), ("stroke-width", "2"),
                ]
                if dashed { line.append(("stroke-dasharray", "6 4")) }
                svg.leaf("line", line)
                if let marker {
                    drawMarker(marker, x: left + legendSwatch / 2, y: middle, radius: 3.4, color: color, hollow: hollow,
                               extra: [], title: nil, into: &svg)
                }
                svg.text(Style.truncate(label, to: legendLabelLimit), x: left + legendSwatch + 6, y: baseline, size: Style.legendFont)
                svg.close("g")
            case .band(let label, let color):
                svg.open("g", [("class", "legend-entry"), ("data-label", label)])
                svg.leaf("rect", [("x", Format.coordinate(left)), ("y", Format.coordinate(middle - 6)),
                                  ("width", Format.coordinate(legendSwatch)), ("height", "12"), ("fill", color),
                                  ("fill-opacity", "0.25")])
                svg.text(Style.truncate(label, to: legendLabelLimit), x: left + legendSwatch + 6, y: baseline, size: Style.legendFont)
                svg.close("g")
            case .errorBar(let label, let color):
                svg.open("g", [("class", "legend-entry"), ("data-label", label)])
                let cx = left + legendSwatch / 2
                let d = "M\(Format.coordinate(cx)) \(Format.coordinate(middle - 6))V\(Format.coordinate(middle + 6))"
                    + "M\(Format.coordinate(cx - 3)) \(Format.coordinate(middle - 6))h6M\(Format.coordinate(cx - 3)) \(Format.coordinate(middle + 6))h6"
                svg.leaf("path", [("d", d), ("stroke", color), ("stroke-width", "1.2"), ("fill", "none")])
                svg.text(Style.truncate(label, to: legendLabelLimit), x: left + legendSwatch + 6, y: baseline, size: Style.legendFont)
                svg.close("g")
            case .ramp(let title, let colors, let first, let last):
                svg.open("g", [("class", "legend-entry"), ("data-label", title)])
                var cursor = left
                svg.text(title, x: cursor, y: baseline, size: Style.legendFont)
                cursor += Style.textWidth(title, size: Style.legendFont) + 8
                svg.text(first, x: cursor, y: baseline, size: Style.legendFont)
                cursor += Style.textWidth(first, size: Style.legendFont) + 6
                let cell = rampCellWidth(colors.count)
                for color in colors {
                    svg.leaf("rect", [("x", Format.coordinate(cursor)), ("y", Format.coordinate(middle - 6)),
                                      ("width", Format.coordinate(cell)), ("height", "12"), ("fill", color)])
                    cursor += cell
                }
                svg.text(last, x: cursor + 6, y: baseline, size: Style.legendFont)
                svg.close("g")
            }
        }
        svg.close("g")
    }
}
