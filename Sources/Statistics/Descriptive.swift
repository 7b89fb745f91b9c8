/// The arithmetic mean; nil for no values.
///
/// ```
/// x̄ = Σ xᵢ / n
/// ```
/// The sum runs left to right, so equal inputs give equal bits wherever the mean is taken.
public func mean(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
}

/// The sample standard deviation, with n − 1 in the denominator (Bessel's correction); nil for
/// fewer than two values.
///
/// ```
/// s = √(Σ (xᵢ − x̄)² / (n − 1))
/// ```
public func standardDeviation(_ values: [Double]) -> Double? {
    guard values.count > 1, let m = mean(values) else { return nil }
    return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
}
