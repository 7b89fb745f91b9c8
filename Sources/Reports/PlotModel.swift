/// A description of a figure — panels, series, legend — independent of how it is drawn.
///
/// `Figures` builds these from report data; `PlotRenderer` turns one into SVG.
struct FigureModel {
    /// File-name stem, e.g. `id-by-layer`.
    var name: String
    var title: String
    var subtitle: String?
    /// One or two sentences for the report: what is plotted and how to read it.
    var caption: String
    var legend: [LegendEntry]
    var panels: [PlotPanel]
    var columns: Int
    var panelWidth: Double
    var panelHeight: Double
    /// Whether all panels share one y range (so heights compare across panels).
    var sharedY: Bool = false
}

/// One set of axes.
struct PlotPanel {
    var title: String
    /// Extra lines under the title, e.g. a correlation coefficient.
    var notes: [String] = []
    var x: PlotAxis
    var y: PlotAxis
    var series: [PlotSeries]
    /// Extra `data-*` attributes on the panel's group, for tests and tooling.
    var attributes: [(String, String)] = []
    /// Panels with the same group share one y range (so heights compare within the group).
    var yGroup: String?
    /// An empty slot that keeps the grid's rows aligned; not drawn.
    var hidden = false

    /// An empty slot in the grid.
    static let empty = PlotPanel(title: "", x: PlotAxis(label: "", kind: .linear), y: PlotAxis(label: "", kind: .linear),
                                 series: [], hidden: true)
}

/// A shaded interval at one x, e.g. a confidence interval; consecutive bands join into one area.
struct PlotBand {
    var x: Double
    var low: Double
    var high: Double
}

struct PlotAxis {
    enum Kind {
        case linear
        /// Base-10 logarithmic; non-positive values are left out.
        case log
        /// Ticks at given positions with text labels (layer names at layer indices).
        case categorical([(position: Double, label: String)])
    }

    var label: String
    var kind: Kind
    /// Ticks only at whole numbers (epochs, counts).
    var integerTicks = false
}

/// One data value to draw; `note` becomes the marker's hover tooltip.
struct PlotPoint {
    var x: Double
    var y: Double
    var error: Double?
    var note: String
    /// Overrides the series' marker fill for this point (linear steps in a profile).
    var hollow: Bool? = nil
}

enum MarkerShape: CaseIterable {
    case circle, square, triangle, diamond

    static func at(_ index: Int) -> MarkerShape { allCases[((index % allCases.count) + allCases.count) % allCases.count] }
}

/// A line and/or markers in one colour. `nil` entries in `points` break the line (a missing value).
struct PlotSeries {
    var name: String
    var color: String
    var dashed = false
    var hollow = false
    var marker: MarkerShape = .circle
    var markerRadius = 3.2
    var connect = true
    var points: [PlotPoint?]
    /// An interval drawn as a translucent area under the line (confidence interval).
    var band: [PlotBand] = []
    /// Extra `data-*` attributes on the series' group.
    var attributes: [(String, String)] = []
}

enum LegendEntry {
    /// A line sample (with an optional marker) and its label.
    case series(label: String, color: String, dashed: Bool, hollow: Bool, marker: MarkerShape?)
    /// A discrete colour ramp labelled at both ends, for ordered values such as epochs.
    case ramp(title: String, colors: [String], first: String, last: String)
    /// A shaded swatch: what a band means.
    case band(label: String, color: String)
    /// An error-bar glyph: what an error bar means.
    case errorBar(label: String, color: String)
}
