import EstimatorVocabulary
import Foundation

/// Local PCA: the linear dimension of each point's k-neighbourhood, averaged over points.
///
/// ```
/// mᵢ = rule(eig(Cov(N_k(i)))),      d̂ = (1/N) Σᵢ mᵢ
/// ```
/// N_k(i) are the k nearest neighbours of point i (the point itself excluded, as in skdim
/// `lPCA().fit_pw(X, n_neighbors=k)`), centred on their own mean. The rule is a variance fraction
/// (default 0.9) or Fukunaga–Olsen (`rule=fo`, α = 0.05, skdim's default `ver='FO'`); see
/// ``SpectrumRule``. Neighbourhoods with zero variance (k copies of one point) are skipped and
/// counted as duplicates. Fukunaga & Olsen, IEEE Trans. Computers C-20 (1971); Little, Maggioni &
/// Rosasco, "Multiscale geometric methods for data sets I", ACHA 43 (2017).
///
/// - Complexity: O(N·(k²·D + k³)) after the neighbour search (O(N·(k·D² + D³)) when D < k).
public enum LocalPCA {
    public static let name = "local_pca"

    public struct Settings: Sendable, Equatable {
        /// Neighbours per point.
        public var k: Int
        public var rule: SpectrumRule

        public init(k: Int = EstimatorCatalog.LocalPCA.k.defaultValue, rule: SpectrumRule = .default) {
            self.k = k
            self.rule = rule
        }

        public var flavour: String {
            "local PCA on each point's \(k) nearest neighbours (self excluded): \(rule.description), mean over points"
        }
    }

    /// The local dimension of every point (nil where the neighbourhood has zero variance).
    static func pointwise(_ rows: PointRows, graph: NeighborGraph, settings: Settings,
                          threads: Int) throws -> [Int?] {
        let k = settings.k, d = rows.dimension
        precondition(k >= 2 && k <= graph.k, "[local_pca] k = \(k) must be in 2...\(graph.k)")
        var out = [Int?](repeating: nil, count: graph.count)
        let failure = FirstError()
        out.withUnsafeMutableBufferPointer { result in
            parallelChunks(graph.count, threads: threads) { range in
                for i in range {
                    let members = (0..<k).map { Int(graph.indices[i * graph.k + $0]) }
                    var x = rows.gather(members)
                    var mean = [Double](repeating: 0, count: d)
                    for r in 0..<k { for c in 0..<d { mean[c] += x[r * d + c] } }
                    for c in 0..<d { mean[c] /= Double(k) }
                    for r in 0..<k { for c in 0..<d { x[r * d + c] -= mean[c] } }
                    do {
                        let values = try x.withUnsafeBufferPointer {
                            try Spectrum.covarianceEigenvalues(centred: $0, n: k, d: d, estimator: name)
                        }
                        if let top = values.first, top > 0 { result[i] = settings.rule.components(values) }
                    } catch {
                        failure.record(error)
                    }
                }
            }
        }
        if let error = failure.error { throw error }
        return out
    }
}

/// The first error thrown by any of several concurrent workers.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?

    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return first
    }

    func record(_ e: Error) {
        lock.lock()
        defer { lock.unlock() }
        if first == nil { first = e }
    }
}
