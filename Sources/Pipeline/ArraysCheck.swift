import Datasets
import ExperimentSpec
import Foundation
import Tensors

/// Reads every `data.arrays` before anything runs, so `validate`, `plan` and `run` report arrays
/// that cannot be used at the key that names them: unreadable or unknown dtypes, floating-point
/// labels, ranks that do not fit the layout, splits that disagree, labels outside the classes,
/// and subset or probe sizes larger than the arrays.
public enum ArraysCheck: SpecFilesCheck {
    /// One diagnostic per problem of each distinct data spec; inputs are read only as far as
    /// their headers, labels in full.
    public static func diagnostics(_ spec: LoadedSpec) -> [Diagnostic] {
        // Each distinct data section is read once, however many run points share it.
        var inspected: [DataSpec: (summary: ArrayFiles.Summary?, problems: [ArrayFiles.Problem])] = [:]
        var out: [Diagnostic] = []
        for point in spec.points {
            let e = point.experiment
            guard let arrays = e.data.arrays else { continue }
            let seen = inspected[e.data]
            let (summary, problems) = seen ?? DataStage.arrayFiles(arrays).inspect()
            if seen == nil {
                inspected[e.data] = (summary, problems)
                for p in problems {
                    out.append(Diagnostic(location(of: p.key, arrays, in: spec), "'data.arrays.\(p.key)': \(p.message)", help: p.help))
                }
            }
            guard let summary else { continue }
            let sizes = [("train_size", e.data.trainSize, summary.trainCount, "training"), ("test_size", e.data.testSize, summary.testCount, "test")]
            for (key, size, available, split) in sizes {
                if let n = size, n > available {
                    out.append(Diagnostic(spec.location(of: ["data", key]), "'data.\(key)' is \(n) but the \(split) arrays hold \(available) examples",
                                          help: "use \(key) ≤ \(available), or omit it to use the whole split"))
                }
            }
            if let image = summary.imageShape, let problem = ModelFactory.shapeProblem(e.model, imageShape: image) {
                // Point at what to change: a cnn's stages are its channels list.
                let channels = spec.location(of: ["model", "channels"])
                let place = e.model.architecture == .cnn && channels != .wholeFile ? channels : spec.location(of: ["model", "architecture"])
                out.append(Diagnostic(place, "the \(e.model.architecture.rawValue) does not fit the arrays' \(image) images: \(problem)"))
            }
            let inUse = e.data.splitSizes(full: (summary.trainCount, summary.testCount))
            let available = e.probe.split == .train ? inUse.train : inUse.test
            if e.probe.size > available {
                out.append(Diagnostic(spec.location(of: ["probe", "size"]),
                                      "probe size \(e.probe.size) exceeds the \(available) \(e.probe.split.rawValue) examples in use",
                                      help: "use probe.size ≤ \(available)"))
            }
        }
        var unique = Set<Diagnostic>()
        return out.filter { unique.insert($0).inserted }
    }

    /// Examples in the training and test splits a data spec uses, reading the arrays' headers
    /// when the spec alone does not say (nil when they cannot be read).
    public static func splitSizes(_ data: DataSpec) -> (train: Int, test: Int)? {
        if let sizes = data.splitSizes { return sizes }
        return data.arrays.flatMap(fullSizes).map { data.splitSizes(full: $0) }
    }

    /// Examples in the whole training and test arrays, read from the inputs' headers alone
    /// (nil when they cannot be read: ``diagnostics(_:)`` says why).
    public static func fullSizes(_ arrays: ArraysSpec) -> (train: Int, test: Int)? {
        let files = DataStage.arrayFiles(arrays)
        guard let train = try? ArrayFiles.header(at: files.trainInputs), let test = try? ArrayFiles.header(at: files.testInputs),
              let n = train.shape.first, let m = test.shape.first else { return nil }
        return (n, m)
    }

    /// The first of the keys that could be to blame which the spec (or an override) sets: the key
    /// itself, then for an archive member its archive, then `data.arrays`.
    static func location(of key: String, _ arrays: ArraysSpec, in spec: LoadedSpec) -> SourceLocation {
        var candidates = [key]
        if key == "layout" || key == "classes" { candidates.append("train_inputs") }
        if arrays.file != nil { candidates.append("file") }
        for candidate in candidates {
            let found = spec.location(of: ["data", "arrays", candidate])
            if found != .wholeFile { return found }
        }
        let arraysKey = spec.location(of: ["data", "arrays"])
        return arraysKey != .wholeFile ? arraysKey : spec.location(of: ["data", "dataset"])
    }
}
