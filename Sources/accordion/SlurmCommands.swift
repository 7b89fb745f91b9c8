import ArgumentParser
import ExperimentSpec
import Foundation
import Pipeline

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

    @Option(help: "CPUs per Slurm task (also the OpenBLAS threads of the stage).")
    var cpusPerTask: Int = 1

    @Option(help: "Memory per Slurm task, e.g. 4G.")
    var mem: String?

    @Option(help: "Array tasks of one job running at once (0: no limit).")
    var maxParallel: Int = 0

    @Flag(help: "Write and print the sbatch scripts without submitting.")
    var dryRun = false

    @Flag(help: "Submit and return without waiting; `accordion status` shows progress.")
    var noWait = false

    var options: SlurmOptions {
        SlurmOptions(partition: partition, time: time, cpusPerTask: cpusPerTask, mem: mem, maxParallel: maxParallel,
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

        @Option(help: "OpenBLAS threads.")
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

    func run() throws {
        let reader = try target.open()
        let states = try SlurmTask.status(bundle: reader, results: URL(fileURLWithPath: target.results))
        var counts: [String: Int] = [:]
        for (name, state) in states {
            print("  " + name.padding(toLength: 56, withPad: " ", startingAt: 0) + " " + state)
            counts[String(state.split(separator: ":").first ?? ""), default: 0] += 1
        }
        print(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
}
