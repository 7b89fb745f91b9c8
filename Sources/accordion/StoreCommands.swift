import ArgumentParser
import Foundation
import Pipeline

struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Check or clean the stage store under a results directory.",
        subcommands: [VerifyStore.self, CollectStore.self])

    struct VerifyStore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every stored stage's outputs against the checksums recorded when it finished.")

        @Option(help: "Directory that holds result bundles and the stage store.")
        var results: String = "Results"

        @Flag(help: "Move the entries that fail to .store/corrupt/, so the next run recomputes them.")
        var repair = false

        func run() throws {
            let (checked, problems) = try StoreMaintenance.verify(results: URL(fileURLWithPath: results), repair: repair)
            for p in problems { printError("error: \(p.name) (\(p.key.prefix(12))): \(p.problem)") }
            print("\(checked) stored stage\(checked == 1 ? "" : "s") checked, \(problems.count) bad"
                  + (problems.isEmpty ? "" : repair ? "; set aside in \(results)/.store/corrupt, the next run recomputes them"
                                                    : "; `accordion store verify --repair` sets them aside so the next run recomputes them"))
            if !problems.isEmpty && !repair { throw ExitCode(ExitCodes.runFailed) }
        }
    }

    struct CollectStore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove stored stages no bundle refers to, abandoned scratch directories and set-aside corrupt entries.")

        @Option(help: "Directory that holds result bundles and the stage store.")
        var results: String = "Results"

        func run() throws {
            let c = try StoreMaintenance.collect(results: URL(fileURLWithPath: results))
            print("removed \(c.entries) unreferenced stage\(c.entries == 1 ? "" : "s"), \(c.scratch) abandoned scratch director\(c.scratch == 1 ? "y" : "ies"), \(c.corrupt) corrupt entr\(c.corrupt == 1 ? "y" : "ies"); \(c.bytes / 1_000_000) MB freed")
        }
    }
}
