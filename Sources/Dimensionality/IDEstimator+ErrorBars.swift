import Tensors

extension IDEstimator {
    /// The estimates on ``ErrorBars/resamples`` random subsets of ⌊fraction·N⌋ points.
    ///
    /// Subsets are drawn without replacement from the stream (seed, "<name>/resample"), so the
    /// same seed gives the same subsets. A subset on which the estimator is undefined (e.g. only
    /// duplicates) is left out; the count of subsets used is reported with the error bar.
    ///
    /// - Complexity: O(R·N·k) for neighbour-based estimators given the full graph, plus whatever
    ///   the estimator costs on each subset.
    func resampledValues(_ rows: PointRows, graph: NeighborGraph?, labels: [Int]?, threads: Int) throws -> [Double] {
        let n = rows.count
        let m = Int(Double(n) * errorBars.fraction)
        guard m >= minimumPoints else {
            throw EstimatorError.invalidSetting(
                estimator: name,
                message: "resample_fraction = \(formatNumber(errorBars.fraction)) of \(n) points leaves \(m), fewer than the \(minimumPoints) this estimator needs; set resamples=0 or a larger resample_fraction")
        }
        var rng = RandomStream(seed: errorBars.seed, path: "\(name)/resample")
        var values = [Double]()
        for _ in 0..<errorBars.resamples {
            let members = rng.permutation(n).prefix(m).sorted()
            let subRows = readsPoints ? rows.subset(members) : nil
            let subGraph = graph.map { g in g.restricted(to: members, k: neighbours ?? g.k, rows: rows) }
            do {
                values.append(try evaluate(subRows, graph: subGraph, labels: labels.map { l in members.map { l[$0] } },
                                           threads: threads).value)
            } catch is EstimatorError {
                continue
            }
        }
        return values
    }

    /// The block analysis: the estimate on 2ʲ disjoint random blocks of ⌊N/2ʲ⌋ points, for
    /// j = 0, 1, … while a block holds at least max(20, the estimator's minimum) points.
    ///
    /// Level 0 is the estimate on all points (`full`). Blocks come from one permutation per level
    /// of the stream (seed, "<name>/blocks").
    ///
    /// - Complexity: for neighbour-based estimators O(N²·D / 2ʲ⁺¹) at level j, about one more
    ///   full search in all.
    func blockAnalysis(_ rows: PointRows, full: Double, labels: [Int]?, threads: Int) -> [BlockEstimate] {
        let n = rows.count
        var out = [BlockEstimate(size: n, blocks: 1, failed: 0, mean: full, std: 0)]
        let smallest = Swift.max(minimumPoints, 20)
        var rng = RandomStream(seed: errorBars.seed, path: "\(name)/blocks")
        var parts = 2
        while n / parts >= smallest {
            let size = n / parts
            let order = rng.permutation(n)
            var values = [Double]()
            var failed = 0
            for b in 0..<parts {
                let members = order[(b * size)..<((b + 1) * size)].sorted()
                let block = rows.subset(members)
                do {
                    try validate(block)
                    let graph = neighbours.map { NearestNeighbors.search(block, k: $0, threads: threads) }
                    values.append(try evaluate(block, graph: graph, labels: labels.map { l in members.map { l[$0] } },
                                               threads: threads).value)
                } catch {
                    failed += 1
                }
            }
            if !values.isEmpty {
                let (mean, std) = meanAndStd(values)
                out.append(BlockEstimate(size: size, blocks: values.count, failed: failed, mean: mean, std: std))
            }
            parts *= 2
        }
        return out
    }
}
