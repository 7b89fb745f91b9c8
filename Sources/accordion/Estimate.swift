import ArgumentParser
import Dimensionality
import Foundation
import Tensors

struct Estimate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Estimate the intrinsic dimension of a point set.",
        discussion: """
        Reads an N × D array of points (float32 or float64 .npy in C order, or one tensor of a \
        .safetensors file; trailing axes are flattened) and runs each estimator on it.

        Estimators: \(IDEstimator.names.joined(separator: ", ")). Settings follow a colon, e.g. \
        --estimator mle:k=20,average=mean --estimator twonn:discard_fraction=0.1,resamples=20. \
        Default: \(IDEstimator.defaultNames.joined(separator: ", ")). The task-relevance measures \
        \(IDEstimator.taskRelevanceNames.joined(separator: " and ")) (values in [0, 1]) read the class of every \
        point from --labels, e.g. --labels probe.json --estimator linear_probe:folds=5,alpha=cv.
        """)

    @Argument(help: "The points: a .npy file, or a .safetensors file with --tensor.")
    var points: String

    @Option(name: .customLong("estimator"), help: "An estimator with optional settings (repeatable).")
    var estimators: [String] = []

    @Option(help: "The class of every point, for class_geometry and linear_probe: a JSON list, a probe stage's probe.json, or integers separated by white space.")
    var labels: String?

    @Option(help: "The tensor to read from a .safetensors file.")
    var tensor: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Worker threads for the neighbour search and local PCA (OpenBLAS stays single-threaded).")
    var threads: Int = 1

    func run() throws {
        var problems: [String] = []
        var chosen: [IDEstimator] = []
        for text in estimators.isEmpty ? IDEstimator.defaultNames : estimators {
            do { chosen.append(try IDEstimator.parse(text)) } catch { problems.append("error: --estimator \(text): \(error)") }
        }
        if threads < 1 { problems.append("error: --threads \(threads): must be at least 1") }
        let loaded: PointFile
        do {
            loaded = try PointFile(path: points, tensor: tensor)
        } catch {
            problems.append("error: \(error)")
            printError(problems.joined(separator: "\n"))
            throw ExitCode(ExitCodes.badInput)
        }
        var classes: [Int]?
        if let labels {
            do {
                classes = try LabelFile.read(labels)
                if classes?.count != loaded.count {
                    problems.append("error: --labels \(labels): \(classes?.count ?? 0) labels for \(loaded.count) points")
                }
            } catch {
                problems.append("error: --labels \(error)")
            }
        } else if let needing = chosen.first(where: \.needsLabels) {
            problems.append("error: --estimator \(needing.name) needs the class of every point; give them with --labels FILE")
        }
        guard problems.isEmpty else {
            printError(problems.joined(separator: "\n"))
            throw ExitCode(ExitCodes.badInput)
        }
        BLAS.useOneThread()
        var results: [IDEstimate] = []
        var failures: [(String, String)] = []
        for estimator in chosen {
            do {
                results.append(try loaded.estimate(estimator, labels: classes, threads: threads))
            } catch {
                failures.append((estimator.name, "\(error)"))
            }
        }
        if json {
            print(try EstimateReport(file: points, loaded: loaded, threads: threads, estimates: results,
                                     errors: failures.map { .init(estimator: $0.0, error: $0.1) }).json())
        } else {
            print("\(points): \(loaded.count) points × \(loaded.dimension) coordinates (\(loaded.dtype))")
            if !results.isEmpty { print(EstimateTable.render(results)) }
        }
        if !failures.isEmpty {
            printError(failures.map { "error: \($0.1)" }.joined(separator: "\n"))
            throw ExitCode(ExitCodes.badInput)
        }
    }
}

/// The `--json` output of `accordion estimate`.
struct EstimateReport: Encodable {
    struct Failure: Encodable {
        var estimator: String
        var error: String
    }

    var file: String
    var points: Int
    var dimension: Int
    var dtype: String
    var threads: Int
    var estimates: [IDEstimate]
    var errors: [Failure]

    init(file: String, loaded: PointFile, threads: Int, estimates: [IDEstimate], errors: [Failure]) {
        self.file = file
        points = loaded.count
        dimension = loaded.dimension
        dtype = loaded.dtype
        self.threads = threads
        self.estimates = estimates
        self.errors = errors
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// The terminal table of estimates.
enum EstimateTable {
    static func render(_ results: [IDEstimate]) -> String {
        var rows = [["estimator", "value", "± std", "n used", "dup", "ties", "seconds", "flavour"]]
        for r in results {
            rows.append([r.estimator, String(format: "%.4f", r.value),
                         r.errorBar.map { String(format: "%.4f", $0) } ?? "",
                         "\(r.used)/\(r.points)", "\(r.duplicates)", "\(r.ties)",
                         String(format: "%.3f", r.seconds), r.flavour])
        }
        let widths = (0..<7).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            (0..<7).map { c in c == 0 ? row[c].padding(toLength: widths[c], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[c] - row[c].count) + row[c] }
                .joined(separator: "  ") + "  " + row[7]
        }
        for r in results where !r.blocks.isEmpty {
            lines.append("\(r.estimator) by sample size: " + r.blocks.map {
                $0.blocks > 1 ? String(format: "%d: %.3f ± %.3f", $0.size, $0.mean, $0.std)
                    : String(format: "%d: %.3f", $0.size, $0.mean)
            }.joined(separator: " | "))
        }
        return lines.joined(separator: "\n")
    }
}
