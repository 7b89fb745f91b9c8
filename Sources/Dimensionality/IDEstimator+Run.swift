import Foundation
import Tensors

extension IDEstimator {
    /// Runs the estimator on the rows of `points` (N × D), with its error bar and block analysis
    /// when they are asked for.
    ///
    /// The error bar is the sample standard deviation of the estimate over `resamples` random
    /// subsets of ⌊fraction·N⌋ points (without replacement, seeded). For neighbour-based
    /// estimators the subsets' neighbours are read off one search of the full set with a few
    /// spare neighbours (``NeighborGraph``), so resampling costs little beyond the first search.
    /// `threads` workers share the neighbour search and the local PCA (default 1). `labels` (one
    /// class per row) are read by the estimators that need them (``needsLabels``) and ignored by
    /// the others.
    ///
    /// Throws ``EstimatorError`` when the estimate is undefined: too few points, NaN or infinity,
    /// all points equal, nothing left after dropping duplicates and ties, or labels missing.
    public func estimate<E: BLASScalar>(_ points: Tensor<E>, labels: [Int]? = nil, threads: Int = 1) throws -> IDEstimate {
        let clock = ContinuousClock()
        let start = clock.now
        let given = PointRows(points)
        try validate(given)
        let labels = needsLabels ? labels : nil
        if needsLabels {
            guard let labels else { throw EstimatorError.labels(estimator: name, problem: "none were given") }
            guard labels.count == given.count else {
                throw EstimatorError.labels(estimator: name, problem: "\(labels.count) labels for \(given.count) points")
            }
            if case .linearProbe = method, Set(labels).count < 2 {
                throw EstimatorError.degenerate(estimator: name, reason: "every point has the same label, so there is nothing to classify")
            }
        }
        let (rows, unscale) = given.rescaledIntoSafeRange()
        let n = rows.count
        var graph: NeighborGraph?
        if let need = neighbours {
            let spare = errorBars.resamples > 0 ? Self.spareNeighbours(need, keeping: errorBars.fraction) : 0
            let wanted = need.addingReportingOverflow(spare)
            graph = NearestNeighbors.search(rows, k: Swift.min(n - 1, wanted.overflow ? Int.max : wanted.partialValue), threads: threads)
        }
        var main = try evaluate(rows, graph: graph, labels: labels, threads: threads)
        if unscale != 1, case .correlationDimension = method, let radii = main.radii {
            main.note = "; r1 = \(formatNumber(radii.0 * unscale)), r2 = \(formatNumber(radii.1 * unscale))"
        }
        var result = IDEstimate(estimator: name, value: main.value, points: n, used: main.used,
                                duplicates: main.duplicates, ties: main.ties,
                                flavour: flavour + main.note, settings: settings, seconds: 0)
        result.errorBar = main.spread
        if errorBars.resamples > 0 {
            let values = try resampledValues(rows, graph: graph, labels: labels, threads: threads)
            result.resamples = values.count
            // A spread needs two subsets; fewer (all others undefined) leaves no error bar.
            if values.count >= 2 {
                let (mean, std) = meanAndStd(values)
                result.resampleMean = mean
                result.errorBar = std
            }
        }
        if errorBars.blocks {
            result.blocks = blockAnalysis(rows, full: main.value, labels: labels, threads: threads)
        }
        let elapsed = clock.now - start
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return result
    }

    /// Extra neighbours to search so that a random subset keeping `fraction` of the points still
    /// finds its k nearest among them: the fewest s with
    /// ```
    /// (1 − f)(k + s) + 5·√((k + s) f (1 − f)) ≤ s
    /// ```
    /// (the expected number of the k + s listed neighbours left out, plus five standard
    /// deviations). Points that still fall short are searched directly.
    static func spareNeighbours(_ k: Int, keeping fraction: Double) -> Int {
        let f = fraction
        var s = 0
        let limit = k.multipliedReportingOverflow(by: 100)
        while s < (limit.overflow ? Int.max : limit.partialValue) {
            let listed = Double(k + s)
            if (1 - f) * listed + 5 * (listed * f * (1 - f)).squareRoot() <= Double(s) { return s }
            s += 1
        }
        return s
    }

    /// The checks every estimator shares.
    func validate(_ rows: PointRows) throws {
        guard rows.count >= minimumPoints else {
            throw EstimatorError.tooFewPoints(estimator: name, needed: minimumPoints, got: rows.count)
        }
        guard rows.dimension >= 1 else {
            throw EstimatorError.invalidSetting(estimator: name, message: "points have no coordinates (shape \(rows.count) × 0)")
        }
        if let (r, c) = rows.firstNonFinite() { throw EstimatorError.nonFinite(estimator: name, row: r, column: c) }
        if rows.allRowsEqual() { throw EstimatorError.constantData(estimator: name) }
    }

    /// One estimate and the points it dropped.
    struct Evaluation {
        var value: Double
        var used: Int
        var duplicates = 0
        var ties = 0
        /// Extra words for the flavour, e.g. columns left out.
        var note = ""
        /// The correlation dimension's two radii, in the units of the points given to it.
        var radii: (Double, Double)? = nil
        /// An error bar the estimator makes itself (the linear probe's spread across folds).
        var spread: Double? = nil
    }

    /// The estimate on `rows` (nil when the estimator reads only `graph`), with `graph` holding at
    /// least ``neighbours`` neighbours per point in the same numbering. Never NaN or infinite:
    /// such an outcome (e.g. from distances spanning more than the Float64 range) throws.
    func evaluate(_ rows: PointRows?, graph: NeighborGraph?, labels: [Int]?, threads: Int) throws -> Evaluation {
        let outcome = try evaluateMethod(rows, graph: graph, labels: labels, threads: threads)
        guard outcome.value.isFinite else {
            throw EstimatorError.degenerate(estimator: name, reason: "the estimate came out as \(outcome.value)")
        }
        return outcome
    }

    private func evaluateMethod(_ rows: PointRows?, graph: NeighborGraph?, labels: [Int]?, threads: Int) throws -> Evaluation {
        switch method {
        case .participationRatio:
            let r = required(rows)
            let value: Double
            switch r.storage {
            case .float(let a): value = try ParticipationRatio.estimate(Tensor(shape: [r.count, r.dimension], scalars: a))
            case .double(let a): value = try ParticipationRatio.estimate(Tensor(shape: [r.count, r.dimension], scalars: a))
            }
            return Evaluation(value: value, used: r.count)
        case .pca(let s):
            let r = required(rows)
            let o = try PCAVariance.evaluate(r, settings: s)
            let note = o.constantColumns > 0 ? "; \(o.constantColumns) zero-variance column\(o.constantColumns == 1 ? "" : "s") left out" : ""
            return Evaluation(value: Double(o.components), used: r.count, note: note)
        case .twoNN(let s):
            let (mu, duplicates, ties) = TwoNN.ratios(required(graph))
            return Evaluation(value: try TwoNN.fit(ratios: mu, settings: s), used: mu.count,
                              duplicates: duplicates, ties: ties)
        case .mle(let s):
            let (values, duplicates, ties) = LevinaBickel.pointwise(required(graph), k: s.k)
            return Evaluation(value: try LevinaBickel.combine(values, average: s.average), used: values.count,
                              duplicates: duplicates, ties: ties)
        case .localPCA(let s):
            let local = try LocalPCA.pointwise(required(rows), graph: required(graph), settings: s, threads: threads)
            let values = local.compactMap { $0 }
            guard !values.isEmpty else {
                throw EstimatorError.degenerate(estimator: name, reason: "every neighbourhood has zero variance")
            }
            return Evaluation(value: Double(values.reduce(0, +)) / Double(values.count), used: values.count,
                              duplicates: local.count - values.count)
        case .correlationDimension(let s):
            let r = required(rows)
            let o = try CorrelationDimension.evaluate(r, graph: required(graph), settings: s, threads: threads)
            return Evaluation(value: o.value, used: r.count,
                              note: "; r1 = \(formatNumber(o.radii.0)), r2 = \(formatNumber(o.radii.1))", radii: o.radii)
        case .classGeometry:
            let r = required(rows)
            return Evaluation(value: try ClassGeometry.evaluate(r, labels: required(labels)), used: r.count)
        case .linearProbe(let s):
            let r = required(rows)
            var order: [Int]?
            if s.shuffle {
                var rng = RandomStream(seed: errorBars.seed, path: "\(name)/folds")
                order = rng.permutation(r.count)
            }
            let o = LinearProbe.crossValidate(r.gather(0..<r.count), rows: r.count, columns: r.dimension,
                                              labels: required(labels), settings: s, order: order)
            let (mean, std) = meanAndStd(o.accuracies)
            let note = s.alpha == .crossValidated ? "; α per fold: " + o.alphas.map(formatNumber).joined(separator: ", ") : ""
            return Evaluation(value: mean, used: r.count, note: note, spread: std)
        }
    }

    private func required<T>(_ value: T?) -> T {
        guard let value else { preconditionFailure("[\(name)] evaluate needs a \(T.self), got nil") }
        return value
    }
}
