import Tensors

/// The caller's points, row-major, kept in their own precision for exact Float64 arithmetic.
///
/// The engine is generic over the input precision only here: estimators dispatch once on the
/// scalar type so that the inner loops below are compiled for `Float` and `Double` concretely.
struct PointRows: @unchecked Sendable {
    enum Storage {
        case float([Float])
        case double([Double])
    }

    let storage: Storage
    /// Number of points (rows).
    let count: Int
    /// Coordinates per point (columns).
    let dimension: Int

    init<E: BLASScalar>(_ points: Tensor<E>) {
        count = points.rows
        dimension = points.columns
        if E.self == Float.self {
            storage = .float(unsafeBitCast(points.scalars, to: [Float].self))
        } else if E.self == Double.self {
            storage = .double(unsafeBitCast(points.scalars, to: [Double].self))
        } else {
            storage = .double(points.scalars.map { Double($0) })
        }
    }

    /// The first non-finite element as (row, column), if any.
    func firstNonFinite() -> (row: Int, column: Int)? {
        let d = Swift.max(dimension, 1)
        switch storage {
        case .float(let a):
            if let i = a.firstIndex(where: { !$0.isFinite }) { return (i / d, i % d) }
        case .double(let a):
            if let i = a.firstIndex(where: { !$0.isFinite }) { return (i / d, i % d) }
        }
        return nil
    }

    /// Whether every row equals the first one exactly.
    func allRowsEqual() -> Bool {
        let d = dimension
        switch storage {
        case .float(let a):
            for i in d..<a.count where a[i] != a[i % d] { return false }
        case .double(let a):
            for i in d..<a.count where a[i] != a[i % d] { return false }
        }
        return true
    }

    /// `‖xᵢ − xⱼ‖²` accumulated in Float64 directly from the coordinate differences.
    ///
    /// No cancellation: identical rows give exactly 0, and the result never goes negative.
    func squaredDistance(_ i: Int, _ j: Int) -> Double {
        switch storage {
        case .float(let a):
            return a.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return 0 }
                return Self.squaredDistance(base + i * dimension, base + j * dimension, dimension)
            }
        case .double(let a):
            return a.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return 0 }
                return Self.squaredDistance(base + i * dimension, base + j * dimension, dimension)
            }
        }
    }

    @inline(__always)
    static func squaredDistance<E: BLASScalar>(_ x: UnsafePointer<E>, _ y: UnsafePointer<E>, _ d: Int) -> Double {
        // Four partial sums let the loop vectorise without reassociation flags.
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var c = 0
        while c + 4 <= d {
            let a0 = Double(x[c]) - Double(y[c]), a1 = Double(x[c + 1]) - Double(y[c + 1])
            let a2 = Double(x[c + 2]) - Double(y[c + 2]), a3 = Double(x[c + 3]) - Double(y[c + 3])
            s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3
            c += 4
        }
        while c < d {
            let a = Double(x[c]) - Double(y[c])
            s0 += a * a
            c += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// The rows `indices` as a Float64 row-major matrix.
    func gather(_ indices: some Collection<Int>) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(indices.count * dimension)
        switch storage {
        case .float(let a):
            for i in indices { out.append(contentsOf: a[(i * dimension)..<((i + 1) * dimension)].lazy.map { Double($0) }) }
        case .double(let a):
            for i in indices { out.append(contentsOf: a[(i * dimension)..<((i + 1) * dimension)]) }
        }
        return out
    }

    /// The rows `indices` as a new point set of the same precision.
    func subset(_ indices: [Int]) -> PointRows {
        switch storage {
        case .float(let a):
            var out = [Float](); out.reserveCapacity(indices.count * dimension)
            for i in indices { out.append(contentsOf: a[(i * dimension)..<((i + 1) * dimension)]) }
            return PointRows(Tensor(shape: [indices.count, dimension], scalars: out))
        case .double(let a):
            var out = [Double](); out.reserveCapacity(indices.count * dimension)
            for i in indices { out.append(contentsOf: a[(i * dimension)..<((i + 1) * dimension)]) }
            return PointRows(Tensor(shape: [indices.count, dimension], scalars: out))
        }
    }
}
