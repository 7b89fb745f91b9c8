import Foundation
import Tensors

/// Where and with what a bundle was produced.
public struct Provenance: JSONBundleFile, Sendable {
    public static let fileName = "provenance.json"
    public var tool: String
    public var toolVersion: String
    public var gitCommit: String?
    public var gitDirty: Bool?
    public var swiftVersion: String
    public var os: String
    public var cpu: String
    public var cores: Int
    public var blas: String
    public var blasCore: String
    /// The run's `execution.threads`: the threads each stage splits its own work across
    /// (OpenBLAS itself runs single-threaded). The name is kept from when OpenBLAS did the splitting.
    public var blasThreads: Int
    /// The register-tile kernel of the direct convolutions ("avx512", "avx2", "portable");
    /// absent in bundles written before it was recorded.
    public var convKernel: String?
    public var datasets: [String: String]
    public var rootSeeds: [UInt64]
    public var command: [String]

    enum CodingKeys: String, CodingKey {
        case tool, os, cpu, cores, blas, datasets, command
        case toolVersion = "tool_version", gitCommit = "git_commit", gitDirty = "git_dirty"
        case swiftVersion = "swift_version", blasCore = "blas_core", blasThreads = "blas_threads"
        case convKernel = "conv_kernel"
        case rootSeeds = "root_seeds"
    }

    public static let toolVersion = "0.1.0"

    /// Reads the facts of this process and machine; `convKernel` is the direct convolutions'
    /// kernel, which the engine names.
    public static func current(threads: Int, convKernel: String?, datasets: [String: String], seeds: [UInt64]) -> Provenance {
        let git = gitState()
        return Provenance(
            tool: "accordion", toolVersion: toolVersion, gitCommit: git?.commit, gitDirty: git?.dirty,
            swiftVersion: swiftVersion, os: ProcessInfo.processInfo.operatingSystemVersionString,
            cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
            blas: BLAS.version.map { "OpenBLAS \($0)" } ?? "OpenBLAS", blasCore: BLAS.coreName, blasThreads: threads,
            convKernel: convKernel,
            datasets: datasets, rootSeeds: seeds, command: CommandLine.arguments)
    }

    static var swiftVersion: String {
        #if swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }

    /// The checkout this build of Accordion was compiled from (three levels above this file).
    static let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The commit of the source tree this Accordion was built from (not of the directory it runs
    /// in), when that checkout is still there.
    static func gitState() -> (commit: String, dirty: Bool)? {
        func git(_ args: [String]) -> String? {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", sourceRoot] + args
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            do { try p.run() } catch { return nil }
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let commit = git(["rev-parse", "HEAD"]) else { return nil }
        let status = git(["status", "--porcelain", "--untracked-files=no"]) ?? ""
        return (commit, !status.isEmpty)
    }

    /// Key/value pairs for the report, in a stable order: every field but the command line and the
    /// dataset fingerprints (which the report takes from the data it shows).
    public var reportEntries: [[String]] {
        var out: [[String]] = [["blas", blas], ["blas core", blasCore], ["blas threads", String(blasThreads)]]
        if let k = convKernel { out.append(["convolution kernel", k]) }
        out += [["cores", String(cores)], ["cpu", cpu]]
        if let c = gitCommit { out.append(["git commit", c]) }
        if let d = gitDirty { out.append(["git dirty", String(d)]) }
        out += [["os", os], ["root seeds", rootSeeds.map(String.init).joined(separator: ", ")],
                ["swift version", swiftVersion], ["tool", tool], ["tool version", toolVersion]]
        return out
    }
}
