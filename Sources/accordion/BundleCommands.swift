import ArgumentParser
import Claims
import ExperimentSpec
import Foundation
import Pipeline
import Reports
import ResultBundles

/// The bundle a command works on, and the results directory it lives in.
struct BundleArguments: ParsableArguments {
    @Argument(help: "The bundle: a path, a run id under --results, or an experiment name (its latest bundle).")
    var bundle: String

    @Option(help: "Directory that holds result bundles and the stage store.")
    var results: String = "Results"

    func open() throws -> BundleReader { try openBundle(bundle, results: results) }
}

/// Opens a bundle given by path, by `<experiment>/<run-id>` or run id under the results
/// directory, or by an experiment's directory or name (its latest bundle: run ids start with
/// their UTC start time, so the greatest name is the newest).
func openBundle(_ reference: String, results: String) throws -> BundleReader {
    let fm = FileManager.default
    let direct = [URL(fileURLWithPath: reference), URL(fileURLWithPath: results).appendingPathComponent(reference)]
    var candidates = direct
    candidates += BundleReader.bundles(under: URL(fileURLWithPath: results)).filter { $0.lastPathComponent == reference }
    for directory in direct where !fm.fileExists(atPath: directory.appendingPathComponent("bundle.json").path) {
        if let latest = BundleReader.runs(in: directory).first { candidates.append(latest) }
    }
    for url in candidates where fm.fileExists(atPath: url.appendingPathComponent("bundle.json").path) {
        do { return try BundleReader(url) } catch {
            printError("error: \(error)")
            throw ExitCode(ExitCodes.badInput)
        }
    }
    printError("error: no result bundle at '\(reference)' (looked for bundle.json there and under \(results)/)\nhelp: `accordion runs` lists the bundles under \(results)/")
    throw ExitCode(ExitCodes.badInput)
}

struct Rerun: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-execute a bundle's spec and overrides from scratch into a new bundle, then verify it against the original.")

    @OptionGroup var target: BundleArguments

    @Option(help: "Stages run side by side (default: one per core).")
    var jobs: Int = 0

    func run() throws {
        let original = try target.open()
        let result: (summary: RunSummary, comparison: BundleVerifier.Comparison)
        do {
            result = try Runner.rerun(original, resultsDirectory: URL(fileURLWithPath: target.results), jobs: jobs,
                                      log: { print($0) })
        } catch let errors as SpecErrors {
            printError(errors.render())
            throw ExitCode(ExitCodes.badInput)
        }
        printRunSummary(result.summary)
        print(VerifyReport.render(result.comparison, a: original.layout.root.path, b: result.summary.bundle.path))
        if !result.comparison.passed || !result.summary.failures.isEmpty { throw ExitCode(ExitCodes.runFailed) }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a bundle's checksums; with a second bundle, compare them number by number.")

    @Argument(help: "The bundle to check.")
    var bundle: String

    @Argument(help: "Another bundle to compare against.")
    var other: String?

    @Option(help: "Directory that holds result bundles.")
    var results: String = "Results"

    @Option(help: "Relative tolerance when the bundles come from different machines or thread counts.")
    var tolerance: Double = 0.02

    func run() throws {
        let a = try openBundle(bundle, results: results)
        var ok = true
        for reader in [a] + (try other.map { [try openBundle($0, results: results)] } ?? []) {
            let problems = BundleVerifier.integrity(reader)
            if problems.isEmpty {
                print("\(reader.layout.root.path): \(reader.manifest.files.count) files, every sha256 matches")
            } else {
                ok = false
                for p in problems { printError("error: \(reader.layout.root.path)/\(p)") }
            }
        }
        if let other {
            let b = try openBundle(other, results: results)
            let comparison = try BundleVerifier.compare(a, b, tolerance: tolerance)
            print(VerifyReport.render(comparison, a: a.layout.root.path, b: b.layout.root.path))
            ok = ok && comparison.passed
        }
        if !ok { throw ExitCode(ExitCodes.runFailed) }
    }
}

enum VerifyReport {
    static func render(_ c: BundleVerifier.Comparison, a: String, b: String) -> String {
        var out = ["compared \(c.compared) numbers: " + (c.exact ? "same machine and thread count, so bit-identical is required"
                                                           : "different machine or thread count, tolerance \(c.tolerance) relative")]
        if c.passed {
            out.append(c.exact ? "identical" : "all within tolerance")
        } else {
            out.append("\(c.differences.count) differ, \(c.missing.count) missing")
            out.append("  " + "what".padding(toLength: 48, withPad: " ", startingAt: 0) + "first".leftPad(16) + "second".leftPad(16) + "rel".leftPad(10))
            for d in c.differences.prefix(50) {
                out.append("  " + d.what.padding(toLength: 48, withPad: " ", startingAt: 0) + d.a.leftPad(16) + d.b.leftPad(16)
                           + String(format: "%10.2e", d.relative))
            }
            if c.differences.count > 50 { out.append("  … \(c.differences.count - 50) more") }
            for m in c.missing { out.append("  missing: \(m)") }
        }
        return out.joined(separator: "\n")
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a bundle's claims, run points and per-layer ID profiles.")

    @OptionGroup var target: BundleArguments

    func run() throws {
        let reader = try target.open()
        let m = reader.manifest
        print("\(m.experiment) \(m.runID): \(m.status.rawValue), \(m.points) run point\(m.points == 1 ? "" : "s"), \(m.stages.count) stages" + (m.seconds.map { String(format: ", %.1fs", $0) } ?? ""))
        if m.status == .running || m.status == .interrupted {
            let done = m.stages.filter { $0.status.succeeded }.count
            print("\(done) of \(m.stages.count) stages finished; the run \(m.status == .running ? "has not finished (or was killed)" : "was interrupted"): run its spec again to resume")
            return
        }
        do {
            let claims = try ReportBuilder.claims(of: reader)
            if !claims.isEmpty { print("\nclaims (effect with 95 % CI across replicates):\n" + ClaimsTable.markdown(claims)) }
            print(TerminalReport.render(try ReportBuilder.input(for: reader)))
        } catch {
            printError("error: \(error)")
        }
        for s in m.stages where s.status == .failed { print("failed: \(s.name): \(s.error ?? "")") }
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the result bundles under the results directory.")

    @Option(help: "Directory that holds result bundles.")
    var results: String = "Results"

    func run() throws {
        let bundles = BundleReader.bundles(under: URL(fileURLWithPath: results))
        if bundles.isEmpty { print("no bundles under \(results)/") }
        for url in bundles {
            guard let r = try? BundleReader(url) else { print("\(url.path): unreadable"); continue }
            let m = r.manifest
            print("\(m.experiment)/\(m.runID)".padding(toLength: 44, withPad: " ", startingAt: 0)
                  + m.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                  + "\(m.points) point\(m.points == 1 ? " " : "s")".leftPad(10)
                  + (m.seconds.map { String(format: "%9.1fs", $0) } ?? "         –"))
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Regenerate bundles' figures and report.html from their own data, or print their claims as Markdown.")

    @Argument(help: "Bundles (paths, or run ids under --results).")
    var bundles: [String]

    @Option(help: "Directory that holds result bundles and the stage store.")
    var results: String = "Results"

    @Flag(help: "Print each bundle as Markdown (origin, configurations with final accuracies and last-hidden-layer IDs, claims) instead of rewriting its report.")
    var markdown = false

    func run() throws {
        let readers = try bundles.map { try openBundle($0, results: results) }
        if markdown, let warning = Self.probeSizeWarning(readers) { print("> **Warning:** \(warning)\n") }
        for (i, reader) in readers.enumerated() {
            if markdown {
                print((i > 0 ? "\n" : "") + (try ReportBuilder.markdown(of: reader, path: Self.shown(reader.layout.root))), terminator: "")
            } else {
                for f in try ReportBuilder.write(reader) { print(f.path) }
            }
        }
        if markdown, readers.count > 1 { print("\n### Wall time\n\n" + Self.timeTable(readers), terminator: "") }
    }

    /// A bundle's path relative to the working directory when it lies under it, else absolute.
    static func shown(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/", path = url.standardizedFileURL.path
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// Bundles of one dataset compared side by side must have been probed at one size: every
    /// estimate depends on the number of probe points. Bundles of different datasets (a synthetic
    /// manifold beside Fashion-MNIST) measure different things and are not compared.
    static func probeSizeWarning(_ readers: [BundleReader]) -> String? {
        var sizes: [String: [Int: [String]]] = [:]
        for reader in readers {
            guard let resolved = try? ResolvedSpec.read(from: reader.layout.root) else { continue }
            for point in resolved.points {
                let e = point.experiment
                sizes[e.data.dataset.rawValue, default: [:]][e.probe.size, default: []].append(reader.manifest.experiment)
            }
        }
        let mixed = sizes.keys.sorted().compactMap { dataset -> String? in
            guard let bySize = sizes[dataset], bySize.count > 1 else { return nil }
            let listed = bySize.keys.sorted().map { "\($0) (\(Array(Set(bySize[$0] ?? [])).sorted().joined(separator: ", ")))" }
            return listed.joined(separator: "; ") + (sizes.count > 1 ? " on \(dataset)" : "")
        }
        guard !mixed.isEmpty else { return nil }
        return "these bundles were probed at different sizes: " + mixed.joined(separator: "; and ")
            + ". Intrinsic-dimension estimates depend on the number of probe points; compare them only at one size."
    }

    /// `| experiment | run points | wall time |` over several bundles, with their total.
    static func timeTable(_ readers: [BundleReader]) -> String {
        var lines = ["| experiment | run points | wall time |", "|---|---:|---:|"]
        var total = 0.0
        for r in readers {
            let seconds = r.manifest.seconds ?? 0
            total += seconds
            lines.append("| \(r.manifest.experiment) | \(r.manifest.points) | \(minutes(seconds)) |")
        }
        lines.append("| **all \(readers.count)** | \(readers.map(\.manifest.points).reduce(0, +)) | **\(minutes(total))** |")
        return lines.joined(separator: "\n") + "\n"
    }

    static func minutes(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s < 60 ? "\(s) s" : "\(s / 60) min \(String(format: "%02d", s % 60)) s"
    }
}

struct Slim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a bundle's checkpoints and activations, keeping results, metrics, estimates and report (for sharing or committing).")

    @OptionGroup var target: BundleArguments

    func run() throws {
        let reader = try target.open()
        let (count, bytes) = try BundleSlimmer.slim(reader)
        print("\(reader.layout.root.path): removed \(count) files (\(bytes / 1_000_000) MB); their checksums stay in bundle.json under \"dropped\"")
    }
}
