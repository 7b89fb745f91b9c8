import ExperimentSpec
import Foundation
import ResultBundles

extension Runner {
    /// Re-executes a bundle's spec with its overrides from nothing (a private store, no cache)
    /// into a new bundle, and compares the two number by number.
    ///
    /// - Throws: ``SpecErrors`` when the bundle's spec no longer loads (say, with a newer accordion).
    public static func rerun(_ original: BundleReader, resultsDirectory: URL, jobs: Int,
                             log: @escaping @Sendable (String) -> Void) throws -> (summary: RunSummary, comparison: BundleVerifier.Comparison) {
        let layout = original.layout
        let overrides: [String]
        if FileManager.default.fileExists(atPath: layout.overrides.path) {
            guard let text = try? String(contentsOf: layout.overrides, encoding: .utf8) else {
                throw BundleError.unreadable(layout.overrides.path, "not UTF-8 text")
            }
            overrides = text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        } else {
            overrides = []
        }
        guard let data = FileManager.default.contents(atPath: layout.spec.path) else {
            throw BundleError.unreadable(layout.spec.path, "missing or unreadable")
        }
        // Relative data paths (data.arrays) are taken from where the original run took them, not the bundle.
        // Bundles older than resolved.json have none; one that is there must be readable.
        let resolved = FileManager.default.fileExists(atPath: layout.resolved.path) ? try ResolvedSpec.read(file: layout.resolved) : nil
        let spec = try SpecLoader.load(data: data, file: layout.spec.path, defaultName: original.manifest.experiment,
                                       overrides: overrides,
                                       baseDirectory: resolved?.specDirectory ?? resolved.map { URL(fileURLWithPath: $0.file).deletingLastPathComponent().path },
                                       workingDirectory: resolved?.workingDirectory, arraySizes: ArraysCheck.fullSizes)
        let summary = try run(spec, options: RunOptions(resultsDirectory: resultsDirectory, jobs: jobs, useCache: false, log: log))
        let comparison = try BundleVerifier.compare(original, try BundleReader(summary.bundle))
        return (summary, comparison)
    }
}
