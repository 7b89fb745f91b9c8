/// Telling linear steps from nonlinear ones in profiles that probe inside stages.
///
/// When a run probes points inside stages (`h1.pre`, `conv1.bn`, `block1.sum`, …), its profile
/// alternates between the outputs of linear maps and the outputs of nonlinearities. Profile
/// figures then draw the first with hollow markers and the second filled, so the saw-tooth —
/// weights compress, the ReLU expands (Recanatesi et al. 2019) — can be read off the markers.
/// Runs that probe only stage outputs are drawn as before.
extension Figures {
    /// Suffixes of the probe points inside a stage, as the engine names them.
    static let innerSuffixes = [".pre", ".bn", ".act", ".sum"]

    /// Whether `layers` resolve steps inside stages (at least one inner probe point).
    static func marksSteps<S: Sequence<String>>(_ layers: S) -> Bool {
        layers.contains { name in innerSuffixes.contains { name.hasSuffix($0) } }
    }

    /// Whether `layer` is the output of a linear (or affine) step: a dense layer or convolution
    /// before its activation (`.pre`), batch normalisation (`.bn`), a residual sum (`.sum`),
    /// global average pooling (`pool`) or the logits.
    static func isLinearStep(_ layer: String) -> Bool {
        layer.hasSuffix(".pre") || layer.hasSuffix(".bn") || layer.hasSuffix(".sum") || layer == "pool" || layer == "logits"
    }

    /// Legend entries explaining the two marker fills.
    static let stepLegend: [LegendEntry] = [
        .series(label: "linear step (.pre, .bn, .sum, pool, logits)", color: Style.muted, dashed: false, hollow: true, marker: .circle),
        .series(label: "after a nonlinearity", color: Style.muted, dashed: false, hollow: false, marker: .circle),
    ]

    /// The caption's sentence about marker fills.
    static let stepCaption = " Hollow markers are outputs of a linear step (a dense layer or convolution before its activation, "
        + "batch normalisation, a residual sum, global average pooling, the logits); filled markers follow a nonlinearity "
        + "(activation, pooled stage output) or are the input, so the saw-tooth of linear maps and activations shows."
}
