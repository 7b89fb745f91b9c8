import ArgumentParser
import Claims
import CStdio
import ExperimentSpec
import Foundation
import Pipeline
import ResultBundles
import Tensors

@main
struct Accordion: ParsableCommand {
    static func main() {
        pinBLASKernel()
        // Progress lines must reach a pipe or a log file as they happen.
        accordion_line_buffer_stdout()
        ErrorRendering.runMain()
    }

    /// OpenBLAS chooses its kernel when it is loaded, before any code of ours runs; where
    /// Accordion pins another one (`BLAS.kernelActionHere`), the process starts itself again with
    /// `OPENBLAS_CORETYPE` set (or, for a pin inherited on a CPU that cannot run it, unset), which
    /// costs one exec. If that fails it runs on as it is.
    static func pinBLASKernel() {
        switch BLAS.kernelActionHere() {
        case .keep:
            return
        case .pin(let core):
            setenv(BLAS.coreTypeVariable, core, 1)
            setenv(BLAS.pinnedMarkerVariable, core, 1)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            unsetenv(BLAS.coreTypeVariable)
            unsetenv(BLAS.pinnedMarkerVariable)
        case .unpin:
            unsetenv(BLAS.coreTypeVariable)
            unsetenv(BLAS.pinnedMarkerVariable)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "accordion",
        abstract: "Train networks from a YAML experiment and measure the intrinsic dimension of every layer.",
        version: "0.1.0",
        subcommands: [Run.self, Validate.self, Plan.self, Show.self, Runs.self, Verify.self, Rerun.self, Status.self, StageCommand.self, StoreCommand.self, Report.self, Slim.self, DatasetsCommand.self, Estimate.self, BenchEstimators.self, Bench.self, BenchProbes.self])
}

/// Exit codes: 0 success, 1 a run failed, 2 the user's input is wrong.
enum ExitCodes {
    static let runFailed: Int32 = 1
    static let badInput: Int32 = 2
}

/// Prints the layer table, the stage counts and the bundle path of a finished run.
func printRunSummary(_ summary: RunSummary) {
    print(SummaryTable.render(summary))
    if !summary.claims.isEmpty {
        print("\nclaims (effect with 95 % CI across replicates):\n" + ClaimsTable.markdown(summary.claims), terminator: "")
    }
    let statuses = summary.outcomes.values.map(\.status)
    print("\(summary.stageCount) stages: " + [StageStatus.done, .cached, .failed, .skipped].map { s in
        "\(statuses.filter { $0 == s }.count) \(s == .done ? "computed" : s.rawValue)" }.joined(separator: ", "))
    print("bundle: \(summary.bundle.path)")
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Loads specs, printing every diagnostic and exiting 2 on bad input.
func loadSpec(_ path: String, overrides: [String], smoke: Bool = false) throws -> LoadedSpec {
    do {
        let loaded = try SpecLoader.load(path: path, overrides: overrides, arraySizes: ArraysCheck.fullSizes)
        try InitFromCheck.check(loaded)
        try ArraysCheck.check(loaded)
        try ActivationsCheck.check(loaded)
        // Smoke overrides go first so the user's own overrides still win.
        guard smoke else { return loaded }
        return try SpecLoader.load(path: path, overrides: SpecLoader.smokeOverrides(for: loaded, splitSizes: ArraysCheck.splitSizes) + overrides,
                                   arraySizes: ArraysCheck.fullSizes)
    } catch let errors as SpecErrors {
        printError(errors.render())
        throw ExitCode(ExitCodes.badInput)
    }
}


struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run an experiment and write its result bundle.")

    @Argument(help: "The experiment spec (YAML).")
    var spec: String

    @Argument(help: "Overrides such as train.lr=0.05 or model.width=64,128 (a comma list sweeps).")
    var overrides: [String] = []

    @Option(help: "Directory that holds result bundles.")
    var results: String = "Results"

    @Option(help: "Stages run side by side, each on one thread (default: one per core).")
    var jobs: Int = 0

    @Flag(help: "Shrink the run to tiny data and one epoch, to check the whole path quickly.")
    var smoke = false

    @Flag(help: "Stop scheduling new stages after the first failure.")
    var failFast = false

    @Option(help: ArgumentHelp("Recompute stages whose name matches this pattern even if stored (repeatable; * and ? are wildcards), e.g. 'train[*]'.",
                               valueName: "pattern"))
    var force: [String] = []

    @OptionGroup(title: "Slurm")
    var slurm: SlurmFlags

    func run() throws {
        let loaded = try loadSpec(spec, overrides: overrides, smoke: smoke)
        print("\(spec): \(loaded.points.count) run point\(loaded.points.count == 1 ? "" : "s")")
        let useSlurm = slurm.executor == .slurm || (slurm.executor == nil && loaded.points[0].experiment.execution.executor == .slurm)
        let summary: RunSummary
        let output = TerminalOutput()
        do {
            summary = try Runner.run(loaded, options: RunOptions(
                resultsDirectory: URL(fileURLWithPath: results), jobs: jobs, failFast: failFast,
                slurm: useSlurm ? slurm.options(threads: loaded.points[0].experiment.execution.threads) : nil, progress: output.progress, log: { output.line($0) },
                handleSignals: true, force: force, stageEvents: output.stageEvents))
        } catch let failure as StageFailure {
            printError("error: \(failure.reason)")
            throw ExitCode(ExitCodes.runFailed)
        } catch let errors as SpecErrors {
            printError(errors.render())
            throw ExitCode(ExitCodes.badInput)
        } catch {
            // The spec was valid: whatever stops the run now (a full disk, say) is a failed run.
            printError("error: \(FileErrors.describe(error))")
            throw ExitCode(ExitCodes.runFailed)
        }
        output.finish()
        if summary.detached { return }
        printRunSummary(summary)
        if !summary.failures.isEmpty {
            for f in summary.failures { printError("error: stage \(f.stage): \(f.reason)") }
            let failed = summary.failedPoints
            printError("\(failed.count) of \(summary.points.count) run point\(summary.points.count == 1 ? "" : "s") failed"
                       + (failed.isEmpty ? "" : ": " + failed.map { "\($0.label) (\($0.stage))" }.joined(separator: ", ")))
            throw ExitCode(ExitCodes.runFailed)
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check specs without running anything.")

    @Argument(help: "Spec files.")
    var specs: [String]

    func run() throws {
        var bad = 0
        for path in specs {
            do {
                let loaded = try SpecLoader.load(path: path, arraySizes: ArraysCheck.fullSizes)
                try InitFromCheck.check(loaded)
                try ArraysCheck.check(loaded)
                try ActivationsCheck.check(loaded)
                print("\(path): ok, \(loaded.points.count) run point\(loaded.points.count == 1 ? "" : "s")")
            } catch let errors as SpecErrors {
                printError(errors.render())
                bad += 1
            }
        }
        if bad > 0 { throw ExitCode(ExitCodes.badInput) }
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the run points and the stage graph a spec expands to, without running anything.")

    @Argument(help: "The experiment spec (YAML).")
    var spec: String

    @Argument(help: "Overrides, as for run.")
    var overrides: [String] = []

    @Flag(help: "Say, per stage, whether it is cached or why it must run.")
    var explain = false

    @Flag(help: "Plan the shrunken run that `run --smoke` would do.")
    var smoke = false

    @Option(help: "Directory that holds result bundles and the stage store.")
    var results: String = "Results"

    func run() throws {
        let loaded = try loadSpec(spec, overrides: overrides, smoke: smoke)
        print("\(spec): \(loaded.points.count) run point\(loaded.points.count == 1 ? "" : "s")"
              + (loaded.sweptPaths.isEmpty ? "" : " over " + loaded.sweptPaths.joined(separator: " × ")))
        for p in loaded.points { print("  [\(p.index)] \(p.label): \(p.experiment.summary)") }
        let graph = try StageGraph.compile(loaded)
        var counts: [String: Int] = [:]
        for s in graph.stages { counts[s.kind.rawValue, default: 0] += 1 }
        print("\(graph.count) stages: " + StageKind.allCases.compactMap { k in counts[k.rawValue].map { "\($0) \(k.rawValue)" } }.joined(separator: ", "))
        guard explain else { return }
        let entries = Planner.explain(graph, resultsDirectory: URL(fileURLWithPath: results),
                                      experiment: loaded.points[0].experiment.name)
        let cached = entries.filter(\.cached).count
        // Names are never cut (two stages must not look alike); the column fits the longest.
        let width = max(entries.map(\.stage.name.count).max() ?? 0, 20)
        for entry in entries {
            let name = entry.stage.name + String(repeating: " ", count: max(0, width - entry.stage.name.count))
            print("  " + (entry.cached ? "cached " : "run    ") + name
                  + " " + String(entry.stage.key.prefix(12)) + (entry.cached ? "" : "  " + entry.reason))
        }
        print("\(entries.count - cached) to run, \(cached) cached")
    }
}
