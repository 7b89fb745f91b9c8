import Foundation
import Yams

extension Experiment {
    /// Decodes `activations:` (every key, so unknown ones are reported even when it is absent)
    /// and returns it when given; checks the keys that need no file read. The files themselves
    /// are checked by the pipeline before anything runs.
    static func decodeActivations(_ top: inout MapReader, ctx: DecodeContext) -> ActivationsSpec? {
        let given = top.child("activations").map { !isNull($0) } ?? false
        var a = top.nested("activations")
        let directory: String? = a.optional("directory")
        a.accept("layers")
        let layers = decodeActivationLayers(a, ctx: ctx)
        let epochsNode = a.child("epochs")
        let written: [Int] = a.read("epochs", default: [0])
        let format: ActivationFormat = a.read("format", default: .npy)
        a.finish()
        guard given else { return nil }
        var epochs: [Int] = []
        for (i, epoch) in written.enumerated() {
            if epoch < 0 || epoch > ActivationsSpec.maxEpoch {
                let item: Node? = epochsNode.flatMap { n in
                    if case .sequence(let s) = n, i < s.count { return s[i] } else { return n }
                }
                ctx.error(item, ["activations", "epochs"], "epoch \(epoch) is out of range",
                          help: "epochs are numbered 0 (the untrained network) to \(ActivationsSpec.maxEpoch)")
            } else if !epochs.contains(epoch) {
                epochs.append(epoch)
            }
        }
        if written.isEmpty || written.count > ActivationsSpec.maxEpochs, let n = epochsNode {
            ctx.error(n, ["activations", "epochs"], "'activations.epochs' lists \(written.count) epochs",
                      help: "list 1 to \(ActivationsSpec.maxEpochs) epochs, e.g. epochs: [0, 10]")
        }
        guard let directory else {
            ctx.error(top.keyNode("activations"), ["activations"], "'activations' needs 'directory': where the exported files are",
                      help: "e.g. activations: {directory: exported, layers: [block1, block2, head]}", length: "activations".count)
            return nil
        }
        if a.child("layers") == nil {
            ctx.error(top.keyNode("activations"), ["activations"], "'activations' needs 'layers': the layers' names in depth order",
                      help: "e.g. layers: [block1, block2, head] for exported/epoch0/block1.npy, …", length: "activations".count)
        }
        guard !layers.isEmpty else { return nil }
        let resolved = resolvedPath(directory, keyPath: ["activations", "directory"], ctx: ctx)
        // A directory per seed is checked seed by seed, once the seeds are known.
        if !resolved.contains(ActivationsSpec.seedPlaceholder) {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
            if !exists || !isDirectory.boolValue {
                ctx.error(a.child("directory"), ["activations", "directory"],
                          "cannot read the directory '\(resolved)' (activations.directory): \(exists ? "it is a file" : "no such directory")",
                          help: "give the directory the export wrote (relative paths are taken from the spec's directory)")
            }
        }
        return ActivationsSpec(directory: resolved, layers: layers, epochs: epochs.sorted(), format: format)
    }

    /// The names under `activations.layers`, each a valid file name, without repeats.
    private static func decodeActivationLayers(_ a: MapReader, ctx: DecodeContext) -> [String] {
        let path = ["activations", "layers"]
        guard let node = a.child("layers"), !isNull(node) else { return [] }
        guard case .sequence(let seq) = node else {
            [String].typeError(node, path, ctx)
            return []
        }
        if seq.isEmpty || seq.count > ActivationsSpec.maxLayers {
            ctx.error(node, path, "'activations.layers' lists \(seq.count) layers",
                      help: "list 1 to \(ActivationsSpec.maxLayers) layer names in depth order")
        }
        var names: [String] = []
        for (i, item) in seq.enumerated() {
            guard let name = String.decode(item, path: path + ["[\(i)]"], ctx: ctx) else { continue }
            if let problem = ActivationsSpec.layerNameProblem(name) {
                ctx.error(item, path, "layer name '\(name)' \(problem)",
                          help: "a layer names a file: use letters, digits, '-', '_' and '.' (not first)")
            } else if names.contains(name) {
                ctx.error(item, path, "layer '\(name)' is listed twice", help: "list each layer once, in depth order")
            } else {
                names.append(name)
            }
        }
        return names
    }

    /// `text` as an absolute path: from the spec's directory when written in the spec, from the
    /// current directory when given in an override; `~` is expanded.
    static func resolvedPath(_ text: String, keyPath: [String], ctx: DecodeContext) -> String {
        let expanded = (text as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        let fromOverride = ctx.overrides.contains { keyPath.starts(with: $0.path) }
        let cwd = FileManager.default.currentDirectoryPath
        let base = fromOverride ? ctx.workingDirectory ?? cwd : ctx.baseDirectory ?? cwd
        return URL(fileURLWithPath: expanded, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }

    /// Reports the sections that do not apply when activations are imported: the data, the
    /// model, the probe set, and every training key but `seed` (which numbers replicates).
    static func checkImportedSections(_ top: MapReader, ctx: DecodeContext) {
        for key in ["data", "model", "probe"] where top.child(key).map({ !isNull($0) }) == true {
            ctx.error(top.keyNode(key), [key], "'\(key)' does not apply to imported activations: they were computed elsewhere",
                      help: key == "probe" ? "list the layers and epochs under activations.layers and activations.epochs"
                          : "remove '\(key)'; 'activations' names the exported files", length: key.count)
        }
        let train = MapReader(top.child("train"), path: ["train"], ctx: DecodeContext())
        for key in ["optimizer", "lr", "momentum", "nesterov", "weight_decay", "beta1", "beta2", "eps", "schedule", "step_size",
                    "gamma", "warmup_epochs", "loss", "batch_size", "epochs", "steps", "target_loss", "noise_batches"]
            where train.has(key) {
            ctx.error(train.keyNode(key), ["train", key], "'train.\(key)' does not apply to imported activations: they were computed elsewhere",
                      help: "only train.seed applies: it fills '{seed}' in activations.directory", length: key.count)
        }
    }
}
