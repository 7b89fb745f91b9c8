/// A figure drawn as a standalone SVG document.
public struct RenderedFigure: Sendable, Equatable {
    /// File-name stem, unique within one report (`id-by-layer` → `figures/id-by-layer.svg`).
    public var name: String
    public var title: String
    /// What the figure shows and how to read it, for the report's figure caption.
    public var caption: String
    /// The SVG 1.1 document (no XML declaration, so it can also be inlined in HTML).
    public var svg: String

    public init(name: String, title: String, caption: String, svg: String) {
        self.name = name
        self.title = title
        self.caption = caption
        self.svg = svg
    }
}

/// The report's figures, built from plain report data.
public enum Figures {
    /// Every figure the data supports, in report order:
    ///
    /// 1. `id-by-layer` — ID against layer per run point, first vs last probed epoch;
    ///    `task-relevance-by-layer` — the same for `class_geometry` and `linear_probe`, in [0, 1];
    /// 2. `id-by-epoch-<estimator>` — the profile at every probed epoch (when more than one);
    ///    `id-by-step-<estimator>` — each layer's estimate against the optimizer step (with
    ///    `probe.steps` only);
    /// 3. `id-sweep-<axis>` — final profiles overlaid across each sweep axis with two or more values;
    /// 4. `final-id-vs-accuracy` and `final-id-vs-noise-scale` — final-layer ID across run points,
    ///    with Spearman's ρ;
    /// 5. `id-by-sample-size` — the block analysis: ID against points per block, per layer, plateaus named;
    /// 6. `training-curves` — loss and accuracy against epoch.
    ///
    /// Figures without data (no estimates, no metrics, nothing swept) are left out.
    public static func all(for input: ReportInput) -> [RenderedFigure] {
        let data = ReportData(input)
        var models: [FigureModel] = []
        if let model = idByLayer(data) { models.append(model) }
        if let model = taskRelevanceByLayer(data) { models.append(model) }
        models += idByEpoch(data)
        models += idByStep(data)
        models += sweepOverlays(data)
        if let model = finalIDScatter(data, against: .testAccuracy) { models.append(model) }
        if let model = finalIDScatter(data, against: .noiseScale) { models.append(model) }
        if let model = idBySampleSize(data) { models.append(model) }
        if let model = trainingCurves(data) { models.append(model) }
        var used = Set<String>()
        return models.map { model in
            var name = model.name
            var n = 2
            while !used.insert(name).inserted {
                name = "\(model.name)-\(n)"
                n += 1
            }
            return RenderedFigure(name: name, title: model.title, caption: model.caption, svg: PlotRenderer.render(model))
        }
    }

    // MARK: Shared pieces

    /// A lowercase file-name fragment: letters and digits, other runs become one `-`.
    static func slug(_ text: String) -> String {
        var out = ""
        for ch in text.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) } else if !out.hasSuffix("-") && !out.isEmpty { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "x" : out
    }

    /// Columns, panel width and plot height for `count` panels, sized for a ~1100 px page: one
    /// column for one panel, two for two or four (a square), three otherwise.
    static func grid(_ count: Int) -> (columns: Int, width: Double, plotHeight: Double) {
        let columns = count <= 1 ? 1 : count == 2 || count == 4 ? 2 : 3
        let s = size(columns: columns)
        return (columns, s.width, s.plotHeight)
    }

    /// Panel width and plot height for a grid with a fixed number of columns.
    static func size(columns: Int) -> (width: Double, plotHeight: Double) {
        switch columns {
        case ...1: return (640, 280)
        case 2: return (540, 240)
        case 3: return (356, 200)
        default: return (290, 190)
        }
    }

    /// The estimators in the order that fixes their colours and markers: the same colour for an
    /// estimator in every report. Others follow in order of appearance.
    static let knownEstimators = ["pr", "twonn", "mle", "pca", "local_pca", "corrdim", "linear_probe", "class_geometry"]

    static func estimatorSlot(_ data: ReportData, _ estimator: String) -> Int {
        let base = estimator.split(separator: ":").first.map(String.init) ?? estimator
        if let known = knownEstimators.firstIndex(of: base) { return known }
        let others = data.estimators.filter { name in !knownEstimators.contains(name.split(separator: ":").first.map(String.init) ?? name) }
        return knownEstimators.count + (others.firstIndex(of: estimator) ?? 0)
    }

    static func estimatorColor(_ data: ReportData, _ estimator: String) -> String {
        Palette.categorical(estimatorSlot(data, estimator))
    }

    static func estimatorMarker(_ data: ReportData, _ estimator: String) -> MarkerShape {
        MarkerShape.at(estimatorSlot(data, estimator))
    }

    static func layerAxis(_ layers: [(index: Int, name: String)]) -> PlotAxis {
        PlotAxis(label: "layer", kind: .categorical(layers.map { (Double($0.index), $0.name) }))
    }

    static func idLabel(_ estimator: String?) -> String {
        if let estimator, let label = ReportData.taskRelevanceLabels[estimator] { return "\(label) (\(estimator))" }
        return estimator.map { "intrinsic dimension (\($0))" } ?? "intrinsic dimension"
    }

    static func describe(_ value: Double, _ error: Double?) -> String { Format.measurement(value, error: error) }

    /// A note for a failed point's panel: the stage, and how far training got.
    static func failureNotes(_ data: ReportData, point: Int) -> [String] {
        let failures = data.failures(point: point)
        guard let first = failures.first else { return [] }
        let more = failures.count > 1 ? " (+\(failures.count - 1) more)" : ""
        let reached = data.probedEpochs(point: point).last.map { "; last probed epoch \($0)" } ?? "; nothing probed"
        return ["failed: \(first.stage)\(more)\(reached)"]
    }
}
