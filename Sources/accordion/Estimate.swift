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
        Default: \(IDEstimator.defaultNames.joined(separator: ", ")).
        """)

    @Argument(help: "The points: a .npy file, or a .safetensors file with --tensor.")
    var points: String

    @Option(name: .customLong("estimator"), help: "An estimator with optional settings (repeatable).")
    var estimators: [String] = []

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
        let loaded: LoadedPoints
        do {
            loaded = try LoadedPoints(path: points, tensor: tensor)
        } catch {
            problems.append("error: \(error)")
            printError(problems.joined(separator: "\n"))
            throw ExitCode(ExitCodes.badInput)
        }
        guard problems.isEmpty else {
            printError(problems.joined(separator: "\n"))
            throw ExitCode(ExitCodes.badInput)
        }
        BLAS.setThreads(1)
        var results: [IDEstimate] = []
        var failures: [(String, String)] = []
        for estimator in chosen {
            do {
                results.append(try loaded.estimate(estimator, threads: threads))
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

/// Points read from a `.npy` file or a `.safetensors` tensor, in the file's precision.
enum LoadedPoints {
    case float(FloatTensor)
    case double(DoubleTensor)

    struct Failure: Error, CustomStringConvertible {
        let description: String
        static func message(_ text: String) -> Failure { Failure(description: text) }
    }

    init(path: String, tensor: String?) throws {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw Failure.message("\(path): no such file (give an N × D .npy or .safetensors file)")
        }
        let shape: [Int]
        if url.pathExtension.lowercased() == "safetensors" {
            let all = try Safetensors.read(url)
            let name: String
            if let tensor {
                name = tensor
            } else if all.count == 1, let only = all.keys.first {
                name = only
            } else {
                throw Failure.message("\(path) holds \(all.count) tensors; choose one with --tensor NAME (tensors: \(all.keys.sorted().joined(separator: ", ")))")
            }
            guard let t = all[name] else { throw Safetensors.Error.missingTensor(path, name, available: Array(all.keys)) }
            self = .float(t)
            shape = t.shape
        } else {
            if tensor != nil { throw Failure.message("--tensor applies to .safetensors files; \(path) is read as .npy") }
            let data = try TensorFileError.contents(of: url)
            let header = String(decoding: data.prefix(256), as: UTF8.self)
            if header.contains("f8") {
                let t: DoubleTensor = try NPY.decode(data, name: path)
                self = .double(t)
                shape = t.shape
            } else {
                let t: FloatTensor = try NPY.decode(data, name: path)
                self = .float(t)
                shape = t.shape
            }
        }
        guard shape.count >= 2 else {
            throw Failure.message("\(path): expected a 2-D array of points (N × D), got shape (\(shape.map(String.init).joined(separator: ", ")))")
        }
    }

    var count: Int {
        switch self { case .float(let t): return t.rows; case .double(let t): return t.rows }
    }

    var dimension: Int {
        switch self { case .float(let t): return t.columns; case .double(let t): return t.columns }
    }

    var dtype: String {
        switch self { case .float: return "float32"; case .double: return "float64" }
    }

    func estimate(_ estimator: IDEstimator, threads: Int) throws -> IDEstimate {
        switch self {
        case .float(let t): return try estimator.estimate(t, threads: threads)
        case .double(let t): return try estimator.estimate(t, threads: threads)
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

    init(file: String, loaded: LoadedPoints, threads: Int, estimates: [IDEstimate], errors: [Failure]) {
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
