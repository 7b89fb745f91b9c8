import Dimensionality
import ExperimentSpec
import Foundation
import Tensors

/// Reads the headers of imported activations before anything runs, so `validate`, `plan` and
/// `run` report unusable files at the `activations` key to blame: a missing directory, epoch or
/// layer, a damaged or hostile header, point counts that differ between layers or epochs, labels
/// that are not one integer per point, and label-reading estimators without labels.
public enum ActivationsCheck: SpecFilesCheck {
    /// One diagnostic per problem of each distinct run directory (data read: headers and labels).
    public static func diagnostics(_ spec: LoadedSpec) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen = Set<String>()
        for point in spec.points {
            let e = point.experiment
            guard let a = e.activations else { continue }
            func report(_ p: ActivationFiles.Problem) {
                let place = p.layer.map { spec.location(ofItem: $0, in: ["activations", "layers"]) } ?? location(of: p.key, in: spec)
                out.append(Diagnostic(place, p.message, help: p.help))
            }
            if spec.replicatePath != nil, !a.perSeed {
                report(.init(key: "directory", message: "\(spec.replicateCount) replicates would all read \(a.directory)",
                             help: "export each seed to its own directory and write '{seed}' in activations.directory, e.g. exported/seed{seed}"))
                continue
            }
            let run = a.runDirectory(seed: e.train.seed)
            guard seen.insert(run).inserted else { continue }
            guard ActivationFiles.isDirectory(run) else {
                report(.init(key: "directory", message: "cannot read the directory '\(run)' (activations.directory, seed \(e.train.seed)): no such directory",
                             help: "export replicate seeds \(spec.points.map { String($0.experiment.train.seed) }.joined(separator: ", ")) each to its own directory"))
                continue
            }
            var rows: (count: Int, file: String)?
            for epoch in a.epochs {
                do {
                    let (layers, problems) = try ActivationFiles.headers(a, epoch: epoch, seed: e.train.seed)
                    problems.forEach(report)
                    for layer in a.layers {
                        guard let l = layers[layer] else { continue }
                        if let r = rows, r.count != l.rows {
                            report(.init(key: "layers", message: "\(l.file) holds \(l.rows) points but \(r.file) holds \(r.count)",
                                         help: "export every layer of every epoch on the same points, in the same order", layer: layer))
                        } else if rows == nil {
                            rows = (l.rows, l.file)
                        }
                    }
                } catch let p as ActivationFiles.Problem {
                    report(p)
                } catch {
                    report(.init(key: "layers", message: "\(error)", help: "export the file again with numpy.save or safetensors"))
                }
            }
            var labels: [Int]?
            do {
                labels = try ActivationFiles.labels(a, seed: e.train.seed, rows: rows?.count)
            } catch let p as ActivationFiles.Problem {
                report(p)
                continue
            } catch {
                report(.init(key: "directory", message: "\(error)", help: "save one integer label per point, e.g. np.save('labels.npy', y.astype(np.int64))"))
                continue
            }
            // Neighbour counts and folds are checked against the points, as against probe.size for trained runs.
            for estimator in e.estimators.configured {
                guard let n = rows?.count, let engine = try? IDEstimator.named(estimator.name, settings: estimator.settings),
                      engine.minimumPoints > n else { continue }
                out.append(Diagnostic(spec.location(of: ["estimators", estimator.name]),
                                      "estimator '\(estimator.name)' needs at least \(engine.minimumPoints) points, but the exported layers hold \(n)",
                                      help: "export more points, or lower its neighbour count (k) or folds"))
            }
            for name in ["class_geometry", "linear_probe"] where labels == nil && e.estimators.names.contains(name) {
                out.append(Diagnostic(spec.location(of: ["estimators", name]), "estimator '\(name)' needs labels, but \(a.labels(seed: e.train.seed)) does not exist",
                                      help: "save the points' classes as labels.npy beside the epoch directories, or remove '\(name)'"))
            }
        }
        var unique = Set<Diagnostic>()
        return out.filter { unique.insert($0).inserted }
    }

    /// The key itself when the spec (or an override) sets it, else `activations`.
    static func location(of key: String, in spec: LoadedSpec) -> SourceLocation {
        let found = spec.location(of: ["activations", key])
        return found != .wholeFile ? found : spec.location(of: ["activations"])
    }
}
