import EstimatorVocabulary
import Yams

extension Experiment {
    /// Reads `probe.layers`: a list of probe-point names, where the words `all` (every probe point)
    /// and `main` (the main points, the default) stand for the names they cover, or one of those
    /// words alone. Unknown names are reported with the closest valid one and the full list.
    ///
    /// A list of plain names is kept as written (valid names only), so specs that name layers
    /// keep their resolved form; a list with a group word is expanded and freed of duplicates.
    static func decodeProbeLayers(_ p: inout MapReader, model: ModelSpec, ctx: DecodeContext) -> [String] {
        p.accept("layers")
        let path = ["probe", "layers"]
        guard let node = p.child("layers"), !isNull(node) else { return [] }
        let all = model.allLayerNames
        let groups = ProbeSpec.layerGroups
        let items: [(name: String, node: Node)]
        switch node {
        case .scalar(let s) where groups.contains(s.string):
            items = [(s.string, node)]
        case .scalar(let s):
            let help: String
            if all.contains(s.string) {
                help = "write [\(s.string)] for one layer"
            } else if let near = nearestName(to: s.string, among: groups) {
                help = "did you mean '\(near)'?"
            } else {
                help = "write a list of this model's layers (" + all.joined(separator: ", ") + "), or all, or main"
            }
            ctx.error(node, path, "'probe.layers' must be a list of layer names, all or main, found '\(s.string)'", help: help)
            return []
        case .sequence(let seq):
            var named: [(String, Node)] = []
            for (i, item) in seq.enumerated() {
                if let name = String.decode(item, path: path + ["[\(i)]"], ctx: ctx) { named.append((name, item)) }
            }
            items = named
        default:
            [String].typeError(node, path, ctx)
            return []
        }
        var names: [String] = []
        var grouped = false
        for (name, item) in items {
            switch name {
            case "all":
                names += all
                grouped = true
            case "main":
                names += model.layerNames
                grouped = true
            case _ where all.contains(name):
                names.append(name)
            default:
                var help = "this model's layers are: " + all.joined(separator: ", ") + "; or all, main"
                if let near = nearestName(to: name, among: all + groups) { help = "did you mean '\(near)'? (\(help))" }
                ctx.error(item, path, "no layer named '\(name)' in this model", help: help)
            }
        }
        guard grouped else { return names }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// The probe points this run's tables index, in depth order: the model's main points
    /// (``ModelSpec/layerNames``), or all of its points (``ModelSpec/allLayerNames``) once
    /// `probe.layers` names a point inside a stage. A layer's `layer_index` in `results.csv` is
    /// its position here, so runs that probe only main points keep the indices (and stage keys)
    /// they always had.
    public var layerNames: [String] {
        if let activations { return activations.layers }
        let main = model.layerNames
        return probe.layers.contains { !main.contains($0) } ? model.allLayerNames : main
    }

    /// The layers to probe, in depth order: the named ones, or the main ones when none are named.
    public var probedLayers: [String] {
        if let activations { return activations.layers }
        return probe.layers.isEmpty ? model.layerNames : layerNames.filter(probe.layers.contains)
    }
}
