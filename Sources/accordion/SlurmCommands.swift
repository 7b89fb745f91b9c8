import ArgumentParser
import ExperimentSpec
import Foundation
import Pipeline
import ResultBundles

enum ExecutorChoice: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}

/// The Slurm options of `run`.
struct SlurmFlags: ParsableArguments {
    @Option(help: "Where stages run: local (this process) or slurm (job arrays via sbatch). Default: the spec's execution.executor.")
    var executor: ExecutorChoice?

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Slurm time limit per task, e.g. 01:00:00.")
    var time: String?

    @Option(help: "CPUs per Slurm task. Default: the spec's execution.threads, the threads a stage splits its work across.")
    var cpusPerTask: Int?

    @Option(help: "Memory per Slurm task, e.g. 4G.")
    var mem: String?

    @Option(help: "Array tasks of one job running at once (0: no limit).")
    var maxParallel: Int = 0

    @Flag(help: "Write and print the sbatch scripts without submitting.")
    var dryRun = false

    @Flag(help: "Submit and return without waiting; `accordion status` shows progress.")
    var noWait = false

    /// The options for a run whose stages use `threads` threads each.
    func options(threads: Int) -> SlurmOptions {
        SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask ?? threads, mem: mem, maxParallel: maxParallel,
                     dryRun: dryRun, noWait: noWait)
    }
}

struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage", abstract: "Work with single stages of the store.", subcommands: [Exec.self])

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execute one stage by key against a results directory (what each Slurm task runs).")

        @Argument(help: "The stage key.")
        var key: String

        @Option(help: "Directory that holds result bundles and the stage store.")
        var results: String = "Results"

        @Option(help: "Threads the stage splits its work across.")
        var threads: Int = 1

        @Option(help: "Path of this task's log, recorded if the stage fails.")
        var log: String?

        func run() throws {
            let status = SlurmTask.run(key: key, results: URL(fileURLWithPath: results), threads: threads, logPath: log,
                                       log: { print($0) })
            if status != 0 { throw ExitCode(status) }
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which stages of a bundle are done, failed, running or pending (from the store and Slurm).")

    @OptionGroup var target: BundleArguments

    @Flag(help: "Also list every stage with its state.")
    var stages = false

    func run() throws {
        let reader = try target.open()
        let states = try SlurmTask.status(bundle: reader, results: URL(fileURLWithPath: target.results))
        print(StatusTable.render(states, listStages: stages), terminator: "")
    }
}

/// `accordion status`: counts per stage kind and state, the failures, and on request every stage.
enum StatusTable {
    static func render(_ states: [SlurmTask.StageState], listStages: Bool) -> String {
        let order = ["done", "running", "pending", "failed", "skipped"]
        let seen = Set(states.map(\.state))
        let columns = order.filter(seen.contains) + seen.subtracting(order).sorted()
        var rows: [[String]] = []
        for kind in StageKind.allCases {
            let ofKind = states.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            var row = [kind.rawValue]
            for state in columns {
                let n = ofKind.filter { $0.state == state }.count
                row.append(n == 0 ? "·" : String(n))
            }
            row.append(String(ofKind.count))
            rows.append(row)
        }
        var all = ["all"]
        for state in columns { all.append(String(states.filter { $0.state == state }.count)) }
        all.append(String(states.count))
        rows.append(all)
        let header = ["stage"] + columns + ["total"]
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return i == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        var out = line(header) + "\n" + rows.map(line).joined(separator: "\n") + "\n"
        let failed = states.filter { $0.state == "failed" }
        if !failed.isEmpty {
            out += "\n\(failed.count) failed:\n"
            for f in failed.prefix(20) { out += "  \(f.name): \(f.detail ?? "no reason recorded")\n" }
            if failed.count > 20 { out += "  … and \(failed.count - 20) more (accordion status --stages lists all)\n" }
        }
        if listStages {
            out += "\n"
            let width = states.map(\.name.count).max() ?? 0
            for s in states {
                out += "  " + s.name + String(repeating: " ", count: width - s.name.count) + "  " + s.state
                    + (s.detail.map { ": \($0)" } ?? "") + "\n"
            }
        }
        return out
    }
}
