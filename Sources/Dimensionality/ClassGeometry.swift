/// The fraction of a representation's variance that lies between class means.
///
/// ```
/// μ = (1/N) Σᵢ xᵢ,   μ_c = mean of the n_c points of class c
/// B = Σ_c n_c ‖μ_c − μ‖²          (between-class scatter)
/// W = Σᵢ ‖xᵢ − μ_{cᵢ}‖²           (within-class scatter)
/// class_geometry = B / (B + W)    (B + W = Σᵢ ‖xᵢ − μ‖², the total scatter)
/// ```
/// The value lies in [0, 1]: 1 when every point sits on its class mean, 0 when all class means
/// coincide. Labels that carry no information about the points give about (C − 1)/(N − 1) for C
/// classes, the expectation of B / (B + W) under random labels of isotropic data. This is Fisher's
/// variance ratio (η², the "explained variance" of a one-way ANOVA summed over coordinates), a
/// task-relevance measure rather than an intrinsic dimension.
///
/// Computed in Float64 from the coordinates; invariant under rotation, translation and scale.
///
/// - Complexity: O(N·D).
public enum ClassGeometry {
    public static let name = "class_geometry"

    static let flavour = "between-class / total variance Σ_c n_c‖μ_c − μ‖² / Σᵢ‖xᵢ − μ‖², Float64"

    /// B / (B + W) for `rows` labelled by `labels` (one per row).
    static func evaluate(_ rows: PointRows, labels: [Int]) throws -> Double {
        precondition(labels.count == rows.count, "[class_geometry] \(rows.count) points but \(labels.count) labels")
        let d = rows.dimension
        let x = rows.gather(0..<rows.count)
        let classes = Array(Set(labels)).sorted()
        var slot: [Int: Int] = [:]
        for (i, c) in classes.enumerated() { slot[c] = i }
        let member = labels.map { slot[$0] ?? 0 }
        var sums = [Double](repeating: 0, count: classes.count * d)
        var counts = [Int](repeating: 0, count: classes.count)
        for i in 0..<rows.count {
            let c = member[i]
            counts[c] += 1
            for j in 0..<d { sums[c * d + j] += x[i * d + j] }
        }
        var mean = [Double](repeating: 0, count: d)
        for c in classes.indices { for j in 0..<d { mean[j] += sums[c * d + j] } }
        for j in 0..<d { mean[j] /= Double(rows.count) }
        var classMeans = sums
        for c in classes.indices { for j in 0..<d { classMeans[c * d + j] /= Double(counts[c]) } }
        var between = 0.0
        for c in classes.indices {
            var s = 0.0
            for j in 0..<d { let t = classMeans[c * d + j] - mean[j]; s += t * t }
            between += Double(counts[c]) * s
        }
        var within = 0.0
        for i in 0..<rows.count {
            let c = member[i]
            for j in 0..<d { let t = x[i * d + j] - classMeans[c * d + j]; within += t * t }
        }
        // B + W rather than Σ‖xᵢ − μ‖²: the same in exact arithmetic, and it keeps the ratio in [0, 1].
        let total = between + within
        guard total > 0 else { throw EstimatorError.constantData(estimator: name) }
        return between / total
    }
}
