import Foundation

/// Draws a `FigureModel` as a standalone SVG 1.1 document.
///
/// Layout, top to bottom: title, subtitle, a legend that wraps across the full width (so it never
/// covers data), then a grid of panels. Every panel's group carries its scales as `data-x-domain`,
/// `data-x-range`, `data-y-domain`, `data-y-range` and `data-*-scale`; every marker carries its
/// value as `data-x`/`data-y` (and `data-error`), so tools and tests can map pixels back to data.
enum PlotRenderer {
    static let padding = 16.0
    static let gap = 18.0
    static let tickLength = 4.0
    static let rightMargin = 14.0

    static func render(_ figure: FigureModel) -> String {
        let columns = max(1, min(figure.columns, figure.panels.count))
        let width = padding * 2 + Double(columns) * figure.panelWidth + Double(columns - 1) * gap

        // Header: title, subtitle, legend.
        var headerLines: [(String, Double, Double, String)] = []  // text, baseline, size, colour
        var cursor = padding + Style.titleFont
        headerLines.append((figure.title, cursor, Style.titleFont, Style.ink))
        if let subtitle = figure.subtitle, !subtitle.isEmpty {
            for line in Style.wrap(subtitle, width: width - 2 * padding, size: Style.legendFont) {
                cursor += 18
                headerLines.append((line, cursor, Style.legendFont, Style.muted))
            }
        }
        let legend = layoutLegend(figure.legend, width: width - 2 * padding)
        let legendTop = cursor + 10
        let gridTop = legendTop + legend.height + (legend.height > 0 ? 10 : 0)

        // Axes of every panel, then margins shared by all so the plots line up.
        let shared = figure.sharedY ? figure.panels.flatMap(yValues) : nil
        var groups: [String: [Double]] = [:]
        for panel in figure.panels { if let group = panel.yGroup { groups[group, default: []] += yValues(panel) } }
        let yLayouts = figure.panels.map { axisLayout($0.y, values: shared ?? $0.yGroup.flatMap { groups[$0] } ?? yValues($0), target: 5) }
        let tickLabelWidths: [Double] = yLayouts.flatMap { $0.ticks.map { Style.textWidth($0.label, size: Style.tickFont) } }
        let left: Double = 20 + (tickLabelWidths.max() ?? 10) + 6 + tickLength
        let plotWidth = figure.panelWidth - left - rightMargin
        let xTarget = max(2, min(6, Int(plotWidth / 75)))
        let xLayouts = figure.panels.map { axisLayout($0.x, values: xValues($0), target: xTarget) }
        let xPlans = xLayouts.map { planXTicks($0, plotWidth: plotWidth) }
        let noteWidth = figure.panelWidth - left
        let notes: [[String]] = figure.panels.map { panel in
            panel.notes.flatMap { Style.wrap($0, width: noteWidth, size: Style.tickFont) }
        }
        let headers: [Double] = zip(figure.panels, notes).map { panel, lines -> Double in
            let title: Double = panel.title.isEmpty ? 0 : 16
            return 12 + title + Double(lines.count) * 15
        }
        let header = headers.max() ?? 0
        let tickHeight: Double = xPlans.map(\.height).max() ?? 0
        let bottom = tickHeight + tickLength + 6 + 18 + 4
        let panelHeight = header + figure.panelHeight + bottom
        let rows = (figure.panels.count + columns - 1) / columns
        let height = gridTop + Double(rows) * panelHeight + Double(max(rows - 1, 0)) * gap + padding

        var svg = SVGBuilder()
        svg.open("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("version", "1.1"),
            ("width", Format.coordinate(width)), ("height", Format.coordinate(height)),
            ("viewBox", "0 0 \(Format.coordinate(width)) \(Format.coordinate(height))"),
            ("font-family", Style.fontFamily), ("font-size", Format.coordinate(Style.tickFont)),
            ("fill", Style.ink), ("class", "figure"), ("data-figure", figure.name),
        ])
        svg.element("title", text: figure.title)
        svg.element("desc", text: figure.caption)
        svg.leaf("rect", [("width", "100%"), ("height", "100%"), ("fill", "#ffffff")])
        for (text, baseline, size, colour) in headerLines {
            var extra: SVGBuilder.Attributes = [("fill", colour)]
            if size == Style.titleFont { extra.append(("font-weight", "bold")) }
            svg.text(text, x: padding, y: baseline, size: size, extra: extra)
        }
        drawLegend(legend, figure.legend, x: padding, y: legendTop, into: &svg)

        for (i, panel) in figure.panels.enumerated() where !panel.hidden {
            let row = i / columns, column = i % columns
            let frame = (x: padding + Double(column) * (figure.panelWidth + gap),
                         y: gridTop + Double(row) * (panelHeight + gap))
            let plot = (left: frame.x + left, right: frame.x + figure.panelWidth - rightMargin,
                        top: frame.y + header, bottom: frame.y + header + figure.panelHeight)
            drawPanel(panel, notes: notes[i], x: xLayouts[i], y: yLayouts[i], xPlan: xPlans[i], frameX: frame.x,
                      frameY: frame.y, plot: plot, into: &svg)
        }
        svg.close("svg")
        return svg.output
    }

    // MARK: Axes

    struct AxisLayout {
        var kind: Scale.Kind
        var domain: (Double, Double)
        var ticks: [(value: Double, label: String)]
    }

    static func yValues(_ panel: PlotPanel) -> [Double] {
        panel.series.flatMap { series in
            series.points.compactMap { $0 }.flatMap { p -> [Double] in
                guard p.x.isFinite, p.y.isFinite else { return [] }
                guard let e = p.error, e.isFinite, e > 0 else { return [p.y] }
                return [p.y - e, p.y + e]
            } + series.band.flatMap { b in [b.low, b.high].filter(\.isFinite) }
        }
    }

    static func xValues(_ panel: PlotPanel) -> [Double] {
        panel.series.flatMap { $0.points.compactMap { $0 }.filter { $0.x.isFinite && $0.y.isFinite }.map(\.x) }
    }

    /// A domain that covers `values`, padded 4 % so markers clear the frame, with ticks on nice steps
    /// inside it. The limits hug the data rather than rounding out to the next tick, which would
    /// waste up to a third of the plot; constant data gets the nice range around its value.
    static func axisLayout(_ axis: PlotAxis, values: [Double], target: Int) -> AxisLayout {
        let finite = values.filter(\.isFinite)
        switch axis.kind {
        case .categorical(let categories):
            let positions = categories.map(\.position) + finite
            guard let lo = positions.min(), let hi = positions.max() else { return axisLayout(PlotAxis(label: axis.label, kind: .linear), values: [], target: target) }
            let ticks = categories.map { (value: $0.position, label: Style.truncate($0.label, to: 18)) }
            return AxisLayout(kind: .linear, domain: (lo - 0.5, hi + 0.5), ticks: ticks)
        case .log:
            let positive = finite.filter { $0 > 0 }
            guard let lo = positive.min(), let hi = positive.max() else { return axisLayout(PlotAxis(label: axis.label, kind: .linear), values: [], target: target) }
            let nice = Ticks.log(lower: lo, upper: hi)
            return AxisLayout(kind: .log, domain: nice.domain, ticks: nice.ticks.map { ($0, Ticks.logLabel($0)) })
        case .linear:
            var lo = finite.min() ?? 0, hi = finite.max() ?? 1
            if hi > lo {
                // Padding never crosses zero: non-negative data (IDs, losses) keeps a zero floor.
                let pad = 0.04 * (hi - lo)
                lo = lo >= 0 ? max(lo - pad, 0) : lo - pad
                hi = hi <= 0 ? min(hi + pad, 0) : hi + pad
            }
            var nice = Ticks.linear(lower: lo, upper: hi, target: target)
            if axis.integerTicks && nice.step < 1 {
                let first = nice.domain.0.rounded(.up), last = nice.domain.1.rounded(.down)
                nice = (domain: nice.domain, ticks: first <= last ? Array(stride(from: first, through: last, by: 1)) : [], step: 1)
            }
            let slack = 1e-9 * nice.step
            let inside = nice.ticks.filter { $0 >= lo - slack && $0 <= hi + slack }
            let (domain, ticks) = hi > lo && inside.count >= 2
                ? ((min(lo, inside[0]), max(hi, inside[inside.count - 1])), inside)
                : (nice.domain, nice.ticks)
            let largest = ticks.map(abs).max()
            return AxisLayout(kind: .linear, domain: domain,
                              ticks: ticks.map { ($0, Ticks.label($0, step: nice.step, largest: largest)) })
        }
    }

    struct XTickPlan {
        var rotated: Bool
        var every: Int
        var height: Double
    }

    /// Horizontal labels if they fit; else layer names turn 45° and numbers are thinned.
    static func planXTicks(_ layout: AxisLayout, plotWidth: Double) -> XTickPlan {
        guard layout.ticks.count > 1 else { return XTickPlan(rotated: false, every: 1, height: Style.tickFont + 6) }
        let widest = layout.ticks.map { Style.textWidth($0.label, size: Style.tickFont) }.max() ?? 0
        let positions = layout.ticks.map(\.value)
        let span = (positions.max() ?? 1) - (positions.min() ?? 0)
        let spacing = plotWidth * (span / Double(layout.ticks.count - 1)) / (layout.domain.1 - layout.domain.0)
        if widest + 8 <= spacing { return XTickPlan(rotated: false, every: 1, height: Style.tickFont + 6) }
        let numeric = layout.ticks.allSatisfy { Double($0.label) != nil }
        if numeric {
            return XTickPlan(rotated: false, every: Int(((widest + 8) / spacing).rounded(.up)), height: Style.tickFont + 6)
        }
        let every = max(1, Int((Style.tickFont * 1.3 / spacing).rounded(.up)))
        return XTickPlan(rotated: true, every: every, height: (widest + Style.tickFont) * 0.71 + 6)
    }

    // MARK: Panels

    static func drawPanel(_ panel: PlotPanel, notes: [String], x xLayout: AxisLayout, y yLayout: AxisLayout, xPlan: XTickPlan,
                          frameX: Double, frameY: Double,
                          plot: (left: Double, right: Double, top: Double, bottom: Double), into svg: inout SVGBuilder) {
        let xs = Scale(kind: xLayout.kind, domain: (xLayout.domain.0, xLayout.domain.1), range: (plot.left, plot.right))
        let ys = Scale(kind: yLayout.kind, domain: (yLayout.domain.0, yLayout.domain.1), range: (plot.bottom, plot.top))
        func pair(_ a: Double, _ b: Double, data: Bool) -> String {
            data ? "\(Format.data(a)) \(Format.data(b))" : "\(Format.coordinate(a)) \(Format.coordinate(b))"
        }
        svg.open("g", [
            ("class", "panel"), ("data-title", panel.title),
            ("data-x-scale", xs.kind.rawValue), ("data-x-domain", pair(xs.domain.lower, xs.domain.upper, data: true)),
            ("data-x-range", pair(xs.range.start, xs.range.end, data: false)),
            ("data-y-scale", ys.kind.rawValue), ("data-y-domain", pair(ys.domain.lower, ys.domain.upper, data: true)),
            ("data-y-range", pair(ys.range.start, ys.range.end, data: false)),
        ] + panel.attributes)

        // Title and notes above the plot, left-aligned with it.
        var baseline = frameY + 8
        if !panel.title.isEmpty {
            baseline += 13
            svg.text(Style.truncate(panel.title, to: Int((plot.right - plot.left) / 7.5)), x: plot.left, y: baseline,
                     size: Style.panelTitleFont, extra: [("font-weight", "bold")])
        }
        for note in notes {
            baseline += 15
            svg.text(note, x: plot.left, y: baseline, size: Style.tickFont, extra: [("fill", Style.muted), ("class", "note")])
        }

        // Grid, ticks and tick labels.
        svg.open("g", [("class", "y-axis")])
        for tick in yLayout.ticks {
            let py = ys(tick.value)
            svg.leaf("line", [("x1", Format.coordinate(plot.left)), ("x2", Format.coordinate(plot.right)),
                              ("y1", Format.coordinate(py)), ("y2", Format.coordinate(py)),
                              ("stroke", Style.grid), ("stroke-width", "1")])
            svg.leaf("line", [("x1", Format.coordinate(plot.left - tickLength)), ("x2", Format.coordinate(plot.left)),
                              ("y1", Format.coordinate(py)), ("y2", Format.coordinate(py)), ("stroke", Style.axis)])
            svg.text(tick.label, x: plot.left - tickLength - 3, y: py + 4, anchor: "end",
                     extra: [("class", "tick"), ("data-value", Format.data(tick.value))])
        }
        svg.close("g")
        svg.open("g", [("class", "x-axis")])
        for (n, tick) in xLayout.ticks.enumerated() {
            let px = xs(tick.value)
            svg.leaf("line", [("x1", Format.coordinate(px)), ("x2", Format.coordinate(px)),
                              ("y1", Format.coordinate(plot.bottom)), ("y2", Format.coordinate(plot.bottom + tickLength)),
                              ("stroke", Style.axis)])
            guard n % xPlan.every == 0 else { continue }
            let ty = plot.bottom + tickLength + 3
            if xPlan.rotated {
                svg.text(tick.label, x: px + 4, y: ty + 8, anchor: "end",
                         extra: [("class", "tick"), ("data-value", Format.data(tick.value)),
                                 ("transform", "rotate(-45 \(Format.coordinate(px + 4)) \(Format.coordinate(ty + 8)))")])
            } else {
                svg.text(tick.label, x: px, y: ty + Style.tickFont, anchor: "middle",
                         extra: [("class", "tick"), ("data-value", Format.data(tick.value))])
            }
        }
        svg.close("g")
        let axisPath = "M\(Format.coordinate(plot.left)) \(Format.coordinate(plot.top))V\(Format.coordinate(plot.bottom))H\(Format.coordinate(plot.right))"
        svg.leaf("path", [("d", axisPath), ("fill", "none"), ("stroke", Style.axis), ("stroke-width", "1")])
        svg.text(panel.x.label, x: (plot.left + plot.right) / 2, y: plot.bottom + tickLength + 6 + xPlan.height + 16,
                 size: Style.labelFont, anchor: "middle", extra: [("class", "axis-label")])
        let yLabelX = frameX + 14, yLabelY = (plot.top + plot.bottom) / 2
        svg.text(panel.y.label, x: yLabelX, y: yLabelY, size: Style.labelFont, anchor: "middle",
                 extra: [("class", "axis-label"),
                         ("transform", "rotate(-90 \(Format.coordinate(yLabelX)) \(Format.coordinate(yLabelY)))")])

        var drawn = 0
        for series in panel.series { drawn += drawSeries(series, xs: xs, ys: ys, into: &svg) }
        if drawn == 0 {
            svg.text("no data", x: (plot.left + plot.right) / 2, y: (plot.top + plot.bottom) / 2, size: Style.labelFont,
                     anchor: "middle", extra: [("fill", Style.muted), ("class", "no-data")])
        }
        svg.close("g")
    }
}
