import Tensors

extension PointRows {
    /// The largest magnitude of any coordinate (0 for an empty set). Assumes finite input.
    func maximumMagnitude() -> Double {
        switch storage {
        case .float(let a): return Double(a.reduce(Float(0)) { Swift.max($0, abs($1)) })
        case .double(let a): return a.reduce(0) { Swift.max($0, abs($1)) }
        }
    }

    /// The same points multiplied by a power of two chosen so that the largest coordinate lies
    /// in [1, 2), when it lies outside a range where squared distances and covariances are safe
    /// from overflow and underflow; otherwise the points unchanged. Returns the factor that
    /// undoes the scaling (original = scaled × `unscale`).
    ///
    /// Every estimator here is scale invariant, and multiplying by a power of two is exact, so the
    /// estimate is unchanged — but points like 1e±300, whose squared distances leave the Float64
    /// range, no longer look like duplicates (or like "all points are equal") to the estimators.
    func rescaledIntoSafeRange() -> (rows: PointRows, unscale: Double) {
        let largest = maximumMagnitude()
        guard largest > 0 else { return (self, 1) }
        let exponent = Int(largest.exponent)
        let safe: ClosedRange<Int>
        switch storage {
        case .float: safe = -30...30
        case .double: safe = -200...200
        }
        guard !safe.contains(exponent) else { return (self, 1) }
        // `Double(sign:exponent:significand:)` scales in steps, so 2^1074 (subnormal input) is fine.
        let unscale = Double(sign: .plus, exponent: exponent, significand: 1)
        switch storage {
        case .float(let a):
            let scaled = a.map { Float(Double(sign: .plus, exponent: -exponent, significand: Double($0))) }
            return (PointRows(Tensor(shape: [count, dimension], scalars: scaled)), unscale)
        case .double(let a):
            let scaled = a.map { Double(sign: .plus, exponent: -exponent, significand: $0) }
            return (PointRows(Tensor(shape: [count, dimension], scalars: scaled)), unscale)
        }
    }
}
