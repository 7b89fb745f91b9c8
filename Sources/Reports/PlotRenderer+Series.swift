import Foundation

extension PlotRenderer {
    /// Draws lines, error bars and markers; returns the number of markers drawn.
    static func drawSeries(_ series: PlotSeries, xs: Scale, ys: Scale, into svg: inout SVGBuilder) -> Int {
        // A point a log axis cannot show is a gap, like a missing value.
        let points: [PlotPoint?] = series.points.map { p in
            guard let p, p.x.isFinite, p.y.isFinite else { return nil }
            if xs.kind == .log && p.x <= 0 { return nil }
            if ys.kind == .log && p.y <= 0 { return nil }
            return p
        }
        let visible = points.compactMap { $0 }
        guard !visible.isEmpty else { return 0 }
        svg.open("g", [("class", "series"), ("data-series", series.name)] + series.attributes)
        drawBand(series, xs: xs, ys: ys, into: &svg)
        if series.connect {
            var segments: [[PlotPoint]] = [[]]
            for p in points {
                if let p { segments[segments.count - 1].append(p) } else if !(segments.last?.isEmpty ?? true) { segments.append([]) }
            }
            for segment in segments where segment.count > 1 {
                let coordinates = segment.map { "\(Format.coordinate(xs($0.x))),\(Format.coordinate(ys($0.y)))" }
                var attributes: SVGBuilder.Attributes = [("class", "line"), ("points", coordinates.joined(separator: " ")),
                                                         ("fill", "none"), ("stroke", series.color), ("stroke-width", "2"),
                                                         ("stroke-linejoin", "round")]
                if series.dashed { attributes.append(("stroke-dasharray", "6 4")) }
                svg.leaf("polyline", attributes)
            }
        }
        for p in visible {
            guard let error = p.error, error.isFinite, error > 0 else { continue }
            let px = xs(p.x)
            let lowValue = ys.kind == .log ? max(p.y - error, ys.domain.lower) : p.y - error
            let low = ys(lowValue), high = ys(p.y + error)
            let d = "M\(Format.coordinate(px)) \(Format.coordinate(low))V\(Format.coordinate(high))"
                + "M\(Format.coordinate(px - 3)) \(Format.coordinate(low))h6M\(Format.coordinate(px - 3)) \(Format.coordinate(high))h6"
            svg.leaf("path", [("class", "error-bar"), ("d", d), ("stroke", series.color), ("stroke-width", "1.2"),
                              ("fill", "none"), ("data-low", Format.data(lowValue)), ("data-high", Format.data(p.y + error))])
        }
        for p in visible {
            var data: SVGBuilder.Attributes = [("data-x", Format.data(p.x)), ("data-y", Format.data(p.y))]
            if let error = p.error, error.isFinite { data.append(("data-error", Format.data(error))) }
            drawMarker(series.marker, x: xs(p.x), y: ys(p.y), radius: series.markerRadius, color: series.color,
                       hollow: p.hollow ?? series.hollow, extra: [("class", "marker")] + data, title: p.note, into: &svg)
        }
        svg.close("g")
        return visible.count
    }

    /// The series' band as translucent areas, one per run of consecutive x positions with an
    /// interval; the area's `data-band` lists its intervals as `x:low:high` triples.
    static func drawBand(_ series: PlotSeries, xs: Scale, ys: Scale, into svg: inout SVGBuilder) {
        let usable = series.band.filter { b in
            b.x.isFinite && b.low.isFinite && b.high.isFinite && b.high >= b.low
                && !(xs.kind == .log && b.x <= 0) && !(ys.kind == .log && b.low <= 0)
        }.sorted { $0.x < $1.x }
        guard !usable.isEmpty else { return }
        // A gap in the series' points (a missing layer) splits the band too.
        let present = Set(series.points.compactMap { $0?.x })
        var runs: [[PlotBand]] = [[]]
        for b in usable {
            if !present.contains(b.x) { if !(runs.last?.isEmpty ?? true) { runs.append([]) }; continue }
            runs[runs.count - 1].append(b)
        }
        for run in runs where !run.isEmpty {
            let half = 3.0
            // A single interval is drawn as a narrow box so it stays visible.
            let upper = run.count == 1
                ? [(xs(run[0].x) - half, ys(run[0].high)), (xs(run[0].x) + half, ys(run[0].high))]
                : run.map { (xs($0.x), ys($0.high)) }
            let lower = run.count == 1
                ? [(xs(run[0].x) + half, ys(run[0].low)), (xs(run[0].x) - half, ys(run[0].low))]
                : run.reversed().map { (xs($0.x), ys($0.low)) }
            let coordinates = (upper + lower).map { "\(Format.coordinate($0.0)),\(Format.coordinate($0.1))" }
            let data = run.map { "\(Format.data($0.x)):\(Format.data($0.low)):\(Format.data($0.high))" }.joined(separator: " ")
            svg.leaf("polygon", [("class", "band"), ("points", coordinates.joined(separator: " ")), ("fill", series.color),
                                 ("fill-opacity", series.dashed ? "0.10" : "0.18"), ("stroke", "none"), ("data-band", data)])
        }
    }

    /// A marker centred on (x, y): the centre of a circle or square, the vertex mean of a polygon.
    static func drawMarker(_ shape: MarkerShape, x: Double, y: Double, radius r: Double, color: String, hollow: Bool,
                           extra: SVGBuilder.Attributes, title: String?, into svg: inout SVGBuilder) {
        let paint: SVGBuilder.Attributes = hollow
            ? [("fill", "#ffffff"), ("stroke", color), ("stroke-width", "1.5")]
            : [("fill", color), ("stroke", "#ffffff"), ("stroke-width", "0.8")]
        func polygon(_ vertices: [(Double, Double)]) -> SVGBuilder.Attributes {
            [("points", vertices.map { "\(Format.coordinate(x + $0.0 * r)),\(Format.coordinate(y + $0.1 * r))" }.joined(separator: " "))]
        }
        let name: String
        let geometry: SVGBuilder.Attributes
        switch shape {
        case .circle:
            name = "circle"
            geometry = [("cx", Format.coordinate(x)), ("cy", Format.coordinate(y)), ("r", Format.coordinate(r))]
        case .square:
            name = "rect"
            let s = r * 0.9
            geometry = [("x", Format.coordinate(x - s)), ("y", Format.coordinate(y - s)),
                        ("width", Format.coordinate(2 * s)), ("height", Format.coordinate(2 * s))]
        case .triangle:
            name = "polygon"
            geometry = polygon([(0, -1.25), (1.08, 0.625), (-1.08, 0.625)])
        case .diamond:
            name = "polygon"
            geometry = polygon([(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)])
        }
        if let title, !title.isEmpty {
            svg.open(name, extra + geometry + paint)
            svg.element("title", text: title)
            svg.close(name)
        } else {
            svg.leaf(name, extra + geometry + paint)
        }
    }
}
