import Tensors

/// One class's estimate: the estimator run on the points of that class alone.
public struct ClassEstimate: Codable, Sendable, Equatable {
    /// The class label, as in the probe set's labels.
    public var label: Int
    public var estimate: IDEstimate

    public init(label: Int, estimate: IDEstimate) {
        self.label = label
        self.estimate = estimate
    }
}

extension IDEstimator {
    /// Whether the estimator can run on the points of each class separately: the
    /// intrinsic-dimension estimators can; the task-relevance measures compare classes and
    /// cannot.
    public var supportsPerClass: Bool { !needsLabels }

    /// The fewest points a class needs for a per-class estimate (the estimator's minimum, and
    /// as many again as a resample keeps when error bars are on).
    public var minimumPointsPerClass: Int {
        let base = minimumPoints
        guard errorBars.resamples > 0, errorBars.fraction > 0 else { return base }
        // The smallest n with ⌊fraction·n⌋ ≥ base.
        var n = Int((Double(base) / errorBars.fraction).rounded(.down))
        while Int(Double(n) * errorBars.fraction) < base { n += 1 }
        return max(n, base)
    }

    /// The estimate on the points of each class separately, in ascending label order.
    ///
    /// ```
    /// ID_c = estimator({ x_i : y_i = c })   for every class c present in `labels`
    /// ```
    ///
    /// Pooling manifolds of different dimension gives an estimate that matches neither; the
    /// per-class values show each class's own dimension (Ansuini et al. 2019 report IDs per
    /// class as well as pooled).
    /// - Throws: ``EstimatorError/invalidSetting(estimator:message:)`` naming the smallest class
    ///   and its size when it holds fewer than ``minimumPointsPerClass`` points, or naming the
    ///   class on which the estimator failed.
    /// - Complexity: the estimator's cost on each class; for neighbour-based estimators less than
    ///   on the pooled set.
    public func estimatePerClass<E: BLASScalar>(_ points: Tensor<E>, labels: [Int], threads: Int = 1) throws -> [ClassEstimate] {
        precondition(labels.count == points.rows, "[estimatePerClass] \(labels.count) labels for \(points.rows) points")
        var members: [Int: [Int]] = [:]
        for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
        let needed = minimumPointsPerClass
        if let smallest = members.min(by: { ($0.value.count, $0.key) < ($1.value.count, $1.key) }), smallest.value.count < needed {
            throw EstimatorError.invalidSetting(
                estimator: name,
                message: "per_class needs at least \(needed) points in every class, but class \(smallest.key) has \(smallest.value.count) of the \(labels.count) probe points; raise probe.size"
                    + (errorBars.resamples > 0 ? " or set resamples: 0" : ""))
        }
        return try members.keys.sorted().map { label in
            do {
                return ClassEstimate(label: label, estimate: try estimate(points.gatherRows(members[label, default: []]), threads: threads))
            } catch let error as EstimatorError {
                throw EstimatorError.invalidSetting(estimator: name, message: "per_class, class \(label): \(error)")
            }
        }
    }
}
