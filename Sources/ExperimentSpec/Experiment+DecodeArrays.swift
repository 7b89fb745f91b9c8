import Foundation
import Yams

extension Experiment {
    /// Decodes `data.arrays` (every key, so unknown ones are reported whatever the dataset) and
    /// returns it when `dataset` is `arrays`; checks that each file named is readable.
    static func decodeArrays(_ d: inout MapReader, dataset: DatasetName, ctx: DecodeContext) -> ArraysSpec? {
        let given = d.has("arrays")
        var a = d.nested("arrays")
        let file: String? = a.optional("file")
        var values: [String: String] = [:]
        for key in ArraysSpec.arrayKeys {
            // Inside an archive a member defaults to the key's own name.
            if let v: String = a.optional(key) { values[key] = v } else if file != nil { values[key] = key }
        }
        let layout: ArrayLayout = a.read("layout", default: .flat)
        let classesNode = a.child("classes")
        let classes: Int? = a.optional("classes")
        a.finish()
        guard dataset == .arrays else { return nil }
        if let n = classes, n < 2 || n > 1_000_000 {
            ctx.error(classesNode, ["data", "arrays", "classes"], "'data.arrays.classes' is \(n), out of range",
                      help: "use classes in 2...1000000, or omit it to count the classes from the labels")
        }
        guard given else {
            ctx.error(d.child("dataset"), ["data", "dataset"], "'data.dataset' is 'arrays' but 'data.arrays' is missing",
                      help: "name the arrays, e.g.\n  arrays: {train_inputs: x_train.npy, train_labels: y_train.npy, test_inputs: x_test.npy, test_labels: y_test.npy}\nor an archive: arrays: {file: data.npz}")
            return nil
        }
        let missing = ArraysSpec.arrayKeys.filter { values[$0] == nil }
        if !missing.isEmpty {
            ctx.error(d.keyNode("arrays"), ["data", "arrays"],
                      "'data.arrays' needs \(missing.map { "'\($0)'" }.joined(separator: ", ")): the path of each .npy file",
                      help: "give all four of train_inputs, train_labels, test_inputs, test_labels, or 'file:' an .npz archive holding them as members",
                      length: "arrays".count)
            return nil
        }
        func resolved(_ key: String, _ text: String) -> String {
            let path = ["data", "arrays", key]
            let expanded = (text as NSString).expandingTildeInPath
            if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
            // A path typed on the command line is the shell's: relative to the current directory.
            let fromOverride = ctx.overrides.contains { path.starts(with: $0.path) }
            let cwd = FileManager.default.currentDirectoryPath
            let base = fromOverride ? ctx.workingDirectory ?? cwd : ctx.baseDirectory ?? cwd
            return URL(fileURLWithPath: expanded, relativeTo: URL(fileURLWithPath: base, isDirectory: true))
                .standardizedFileURL.path
        }
        var spec = ArraysSpec(file: file.map { resolved("file", $0) },
                              trainInputs: values["train_inputs"] ?? "", trainLabels: values["train_labels"] ?? "",
                              testInputs: values["test_inputs"] ?? "", testLabels: values["test_labels"] ?? "",
                              layout: layout, classes: classes)
        if spec.file == nil {
            spec.trainInputs = resolved("train_inputs", spec.trainInputs)
            spec.trainLabels = resolved("train_labels", spec.trainLabels)
            spec.testInputs = resolved("test_inputs", spec.testInputs)
            spec.testLabels = resolved("test_labels", spec.testLabels)
        }
        let keys = spec.file == nil ? ArraysSpec.arrayKeys : ["file"]
        for key in keys {
            let path = key == "file" ? spec.file ?? "" : spec.value(of: key)
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let problem = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory"
                : !FileManager.default.isReadableFile(atPath: path) ? "permission denied" : nil
            if let problem {
                ctx.error(a.child(key), ["data", "arrays", key], "cannot read '\(path)' (data.arrays.\(key)): \(problem)",
                          help: key == "file" ? "give the path of an .npz archive (relative paths are taken from the spec's directory)"
                              : "give the path of an .npy file (relative paths are taken from the spec's directory)")
            }
        }
        return spec
    }
}
