import Foundation
import Yams

/// Reads specs, applies overrides, validates everything before any work starts, and expands sweeps.
public enum SpecLoader {
    /// Specs larger than this are rejected before parsing.
    public static let maximumBytes = 1 << 20

    /// Loads a spec file with `key.path=value` overrides.
    ///
    /// - Throws: ``SpecErrors`` holding every problem found, located.
    ///
    /// `arraySizes` reads the sizes of a `data.arrays` section's training and test arrays, so
    /// subset, probe, batch and step settings are checked against them as for built-in data.
    public static func load(path: String, overrides: [String] = [], limits: SpecLimits = .standard,
                            arraySizes: ((ArraysSpec) -> (train: Int, test: Int)?)? = nil) throws -> LoadedSpec {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SpecErrors(file: path, text: "", diagnostics: [Diagnostic(.wholeFile, "cannot read the spec: it is a directory",
                                                                            help: "give the path of a .yaml file")])
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SpecErrors(file: path, text: "", diagnostics: [Diagnostic(.wholeFile, "cannot read the spec: no such file or it is unreadable")])
        }
        let name = url.deletingPathExtension().lastPathComponent
        return try load(data: data, file: path, defaultName: name, overrides: overrides, limits: limits,
                        baseDirectory: url.deletingLastPathComponent().path, arraySizes: arraySizes)
    }

    /// Loads spec bytes; `file` is used in messages. Relative data paths written in the spec
    /// are taken from `baseDirectory` (default: `file`'s directory), those given in overrides
    /// from `workingDirectory` (default: the current directory).
    public static func load(data: Data, file: String, defaultName: String, overrides: [String] = [],
                            limits: SpecLimits = .standard, baseDirectory: String? = nil,
                            workingDirectory: String? = nil,
                            arraySizes: ((ArraysSpec) -> (train: Int, test: Int)?)? = nil) throws -> LoadedSpec {
        func fail(_ d: Diagnostic, text: String = "") -> SpecErrors {
            SpecErrors(file: file, text: text, diagnostics: [d], printLimit: limits.printedErrors)
        }
        func failAll(_ ds: [Diagnostic], text: String) -> SpecErrors {
            SpecErrors(file: file, text: text, diagnostics: ds, printLimit: limits.printedErrors)
        }
        if data.count > maximumBytes {
            throw fail(Diagnostic(.wholeFile, "the spec is \(data.count) bytes; specs are limited to \(maximumBytes) bytes",
                                  help: "keep data in data files and point data.path at them"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let (diagnostic, lenient) = invalidUTF8(data)
            throw fail(diagnostic, text: lenient)
        }
        // A name made from the file name must be as safe as one written in the file.
        let defaultName = Experiment.safeName(from: defaultName)
        let ctx = DecodeContext()
        ctx.baseDirectory = URL(fileURLWithPath: baseDirectory ?? URL(fileURLWithPath: file).deletingLastPathComponent().path)
            .standardizedFileURL.path
        ctx.arraySizes = arraySizes
        ctx.workingDirectory = URL(fileURLWithPath: workingDirectory ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
        var root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw fail(Diagnostic(.wholeFile, "the spec is empty",
                                      help: "a minimal spec is:\n  name: demo\n  model: {depth: 3, width: 256}\n  train: {epochs: 1}"), text: text)
            }
            root = node
        } catch let error as YamlError {
            throw fail(syntaxDiagnostic(error, text: text), text: text)
        }
        guard case .mapping = root else {
            throw fail(Diagnostic(ctx.location(of: root, path: []), "the spec must be a mapping of keys (name, data, model, train, …) to values"), text: text)
        }
        checkShape(root, limits: limits, ctx: ctx)
        if !ctx.diagnostics.isEmpty { throw failAll(ctx.diagnostics, text: text) }

        // Overrides: `a.b=value`, a comma list being a grid sweep.
        for override in overrides {
            guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
                ctx.diagnostics.append(Diagnostic(.override(override), "an override must look like key.path=value",
                                                  help: "e.g. train.lr=0.05 or model.width=64,128,256"))
                continue
            }
            let keyText = String(override[..<eq])
            let valueText = String(override[override.index(after: eq)...])
            let steps = keyText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if steps.contains(where: { $0.isEmpty || $0.contains(" ") }) {
                ctx.diagnostics.append(Diagnostic(.override(override), "'\(keyText)' is not a key path",
                                                  help: "write dotted keys, e.g. train.lr=0.05"))
                continue
            }
            guard let value = parseOverrideValue(valueText) else {
                ctx.diagnostics.append(Diagnostic(.override(override), "cannot parse the value '\(valueText)'",
                                                  help: "write a YAML scalar, a list [a, b], or a comma list a,b,c to sweep"))
                continue
            }
            root = root.replacing(at: steps.map(PathStep.key)[...], with: value)
            ctx.overrides.append((steps, override))
        }

        let axes = withReplicates(findSweeps(root, ctx: ctx), root: root, ctx: ctx)
        checkSweepable(axes, ctx: ctx)
        let zipLengths = Set(axes.filter { $0.mode == .zip }.map(\.values.count))
        if zipLengths.count > 1 {
            let zipAxes = axes.filter { $0.mode == .zip }
            for axis in zipAxes {
                ctx.error(axis.node, axis.stringPath, "zip sweeps must have equal lengths: '\(axis.dottedPath)' has \(axis.values.count) value\(axis.values.count == 1 ? "" : "s")",
                          help: "lengths here: " + zipAxes.map { "\($0.dottedPath)=\($0.values.count)" }.joined(separator: ", "))
            }
        }
        if !ctx.diagnostics.isEmpty { throw failAll(ctx.diagnostics, text: text) }
        guard runPointCount(axes, limit: limits.runPoints) != nil else {
            throw fail(Diagnostic(ctx.location(of: axes.last?.node, path: axes.last?.stringPath ?? []),
                                  "the sweeps expand to more than \(limits.runPoints) run points: \(runPointProduct(axes))",
                                  help: "sweep fewer values, or raise the limit with \(SpecLimits.runPointsVariable)=<count> if you mean it"),
                       text: text)
        }

        func tree(_ choice: [Int]) -> Node {
            var t = root
            for (a, axis) in axes.enumerated() { t = t.replacing(at: axis.path[...], with: axis.values[choice[a]]) }
            return t
        }
        // Validate the base point and every value of every axis, so each mistake is reported once.
        let base = Array(repeating: 0, count: axes.count)
        _ = Experiment.decode(tree(base), defaultName: defaultName, ctx: ctx)
        for (a, axis) in axes.enumerated() {
            for v in axis.values.indices.dropFirst() {
                var choice = base
                choice[a] = v
                _ = Experiment.decode(tree(choice), defaultName: defaultName, ctx: ctx)
            }
        }
        if !ctx.diagnostics.isEmpty { throw failAll(sorted(ctx.diagnostics), text: text) }

        // Each axis's path and value labels once, not once per run point.
        let paths = axes.map(\.dottedPath)
        let labels = axes.map { $0.values.map(display) }
        // Trees with the first a axes applied, kept between points: combinations vary the last
        // axis fastest, so a point usually re-applies one axis, not all of them.
        var prefix = [root] + axes.map { _ in root }
        var previous: [Int]? = nil
        let choices = combinations(axes)
        var points = choices.enumerated().map { i, choice in
            let first = previous.map { p in choice.indices.first { p[$0] != choice[$0] } ?? axes.count } ?? 0
            for a in first..<axes.count { prefix[a + 1] = prefix[a].replacing(at: axes[a].path[...], with: axes[a].values[choice[a]]) }
            previous = choice
            let exp = Experiment.decode(prefix[axes.count], defaultName: defaultName, ctx: ctx)
            let assignments = axes.indices.map { a in (paths[a], labels[a][choice[a]]) }
            return RunPoint(index: i, assignments: assignments, experiment: exp)
        }
        let replicatePaths = numberReplicates(&points, choices: choices, axes: axes)
        let claims = decodeClaims(root, scope: ClaimScope(points: points, axes: axes), ctx: ctx)
        if !ctx.diagnostics.isEmpty { throw failAll(sorted(ctx.diagnostics), text: text) }
        return LoadedSpec(file: file, text: text, overrides: overrides, points: points, sweptPaths: paths,
                          claims: claims, replicatePath: replicatePaths.train, probeReplicatePath: replicatePaths.probe,
                          specDirectory: ctx.baseDirectory ?? "", workingDirectory: ctx.workingDirectory ?? "")
    }

    /// Overrides that shrink a loaded spec to a seconds-long check of its whole path (`--smoke`):
    /// at most 2,000 training and 500 test examples, one epoch, probes before and after it on
    /// at most 200 points. Sizes never exceed what the data has, so every spec stays valid;
    /// `splitSizes` says how much data a spec uses when the spec alone cannot (its own arrays).
    public static func smokeOverrides(for spec: LoadedSpec,
                                      splitSizes: (DataSpec) -> (train: Int, test: Int)? = { $0.splitSizes }) -> [String] {
        let experiments = spec.points.map(\.experiment)
        // Imported activations are read whole: only the replicates shrink.
        let imported = experiments.contains { $0.activations != nil }
        let sizes = experiments.compactMap { splitSizes($0.data) }
        let train = sizes.map(\.train).min() ?? 2000
        let test = sizes.map(\.test).min() ?? 500
        let epochs = min(1, experiments.map(\.train.epochs).max() ?? 1)
        let probeSplit = experiments.first?.probe.split ?? .test
        let probe = min(200, probeSplit == .train ? min(train, 2000) : min(test, 500))
        // A step count would conflict with the epoch override: clear it first.
        let steps = experiments.contains { $0.train.steps != nil } ? ["train.steps=~"] : []
        // Step probes shrink to the first step (and the untrained network), which every smoke run reaches.
        let probeSteps = experiments.contains { $0.probe.steps != nil } ? ["probe.steps=[\(epochs == 0 ? "0" : "0,1")]"] : []
        // Two replicates still pair every claim; more only repeat the same path.
        var replicates: [String] = []
        if spec.replicateCount > 2, case .mapping(let top)? = try? Yams.compose(yaml: spec.text),
           top.keys.contains(where: { $0.string == "replicates" }) {
            let probes = spec.probeReplicateCount
            replicates = [probes > 1 ? "replicates={train: 2, probe: \(min(2, probes))}" : "replicates=2"]
        }
        if imported { return replicates }
        return ["data.train_size=\(min(2000, train))", "data.test_size=\(min(500, test))"] + steps + ["train.epochs=\(epochs)",
                "probe.epochs=[\(Array(Set([0, epochs])).sorted().map(String.init).joined(separator: ","))]"] + probeSteps
            + ["probe.size=\(probe)"] + replicates
    }

    /// Every dotted key path the spec language accepts (e.g. `train.lr`), as the decoder reads them.
    public static func keyPaths() -> Set<String> {
        let ctx = DecodeContext()
        ctx.recordsKeys = true
        _ = Experiment.decode(Node([(Node, Node)]()), defaultName: "x", ctx: ctx)
        // One empty claim, so the keys a claim may carry are listed too (as `claims.id`, …).
        _ = decodeClaims(Node([(Node("claims"), Node([Node([(Node, Node)]())]))]), scope: ClaimScope(points: [], axes: [SweepAxis]()), ctx: ctx)
        return Set(ctx.readKeys.map { $0.replacingOccurrences(of: ".[0]", with: "") })
    }
}
