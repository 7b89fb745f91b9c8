import Datasets
import ExperimentSpec
import Foundation
import NeuralNets

/// Reads every `model.init_from` checkpoint against the network it should initialise (names and
/// shapes of every tensor), before anything runs: `validate`, `plan` and `run` report a
/// checkpoint that does not fit at `model.init_from`, not an hour later when its train stage starts.
public enum InitFromCheck: SpecFilesCheck {
    /// One diagnostic per distinct model, data shape and checkpoint that do not fit.
    public static func diagnostics(_ spec: LoadedSpec) -> [Diagnostic] {
        var seen = Set<String>()
        var out: [Diagnostic] = []
        for point in spec.points {
            let e = point.experiment
            guard let path = e.model.initFrom else { continue }
            let source: DataRecipe.Source
            do {
                source = try DataStage.recipe(e.data).source
            } catch {
                continue  // The data spec's own checks report it.
            }
            let identity = "\(e.model)|\(source.features)|\(source.classes)|\(path)"
            guard seen.insert(identity).inserted else { continue }
            // The network without its checkpoint, then the checkpoint on its own: a failure of the
            // second is exactly "does not fit", with the loader's own words.
            let net: Sequential
            do {
                net = try ModelFactory.build(e.model, features: source.features, classes: source.classes,
                                             imageShape: source.imageShape, seed: 0, loadInitialWeights: false)
            } catch {
                out.append(Diagnostic(spec.location(of: ["model", "init_from"]), "'model.init_from': \(error)"))
                continue
            }
            do {
                try net.loadCheckpoint(from: URL(fileURLWithPath: path))
            } catch {
                out.append(Diagnostic(spec.location(of: ["model", "init_from"]),
                                      "'model.init_from' does not fit the model" + (point.label == "base" ? "" : " of \(point.label)") + ": \(error)",
                                      help: "the checkpoint must hold every parameter of this model with the same name and shape "
                                          + "(PyTorch state_dict names; the layouts are in docs/pytorch.md)"))
            }
        }
        return out
    }
}
