import CBLAS
import Tensors

/// Labelled rows for the ridge classifier: n × d row-major Float64 and one label per row.
struct RidgeData {
    var x: [Double]
    var n: Int
    var d: Int
    var labels: [Int]

    init(x: [Double], n: Int, d: Int, labels: [Int]) {
        self.x = x
        self.n = n
        self.d = d
        self.labels = labels
    }

    /// The rows `rows` of the n × `columns` matrix `all`, in that order.
    init(_ all: [Double], columns d: Int, rows: [Int], labels allLabels: [Int]) {
        var x = [Double]()
        x.reserveCapacity(rows.count * d)
        for i in rows { x.append(contentsOf: all[(i * d)..<((i + 1) * d)]) }
        self.init(x: x, n: rows.count, d: d, labels: rows.map { allLabels[$0] })
    }

    func subset(_ rows: [Int]) -> RidgeData { RidgeData(x, columns: d, rows: rows, labels: labels) }
}

/// A fitted standardized one-vs-all ridge classifier (see ``LinearProbe``).
struct RidgeClassifier {
    /// The training fold's classes, ascending: column c of the decision values is `classes[c]`.
    let classes: [Int]
    /// The standardization: z = (x − mean) / scale.
    let mean: [Double]
    let scale: [Double]
    /// d × C row-major.
    let weights: [Double]
    /// One per class.
    let intercept: [Double]

    /// One classifier per α, all fitted on `data` (sharing its standardization and Gram matrix).
    ///
    /// Solves the normal equations (ZᵀZ + αI) W = ZᵀY when n ≥ d and the dual (ZZᵀ + αI) D = Y,
    /// W = ZᵀD when d > n, both by Cholesky (LAPACK `dposv`; `dgelsd` least squares should the
    /// factorisation fail), on Z and Y centred so the intercept is not penalised.
    static func fit(_ data: RidgeData, alphas: [Double]) -> [RidgeClassifier] {
        let n = data.n, d = data.d
        precondition(n >= 1, "[linear_probe] cannot fit on 0 rows")
        let classes = Array(Set(data.labels)).sorted()
        let (mean, scale) = standardization(data)
        var z = data.x
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (z[i * d + j] - mean[j]) / scale[j] } }
        // Centring again as scikit-learn's ridge does (the scaled columns' means are ~1e-17, not 0).
        var zOffset = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { zOffset[j] += z[i * d + j] } }
        for j in 0..<d { zOffset[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { z[i * d + j] -= zOffset[j] } }
        let c = classes.count
        var y = [Double](repeating: -1, count: n * c)
        var column: [Int: Int] = [:]
        for (k, label) in classes.enumerated() { column[label] = k }
        for i in 0..<n { y[i * c + (column[data.labels[i]] ?? 0)] = 1 }
        var yOffset = [Double](repeating: 0, count: c)
        for i in 0..<n { for k in 0..<c { yOffset[k] += y[i * c + k] } }
        for k in 0..<c { yOffset[k] /= Double(n) }
        for i in 0..<n { for k in 0..<c { y[i * c + k] -= yOffset[k] } }

        let dual = d > n
        let m = dual ? n : d
        var gram = [Double](repeating: 0, count: m * m)
        var rhs = dual ? y : [Double](repeating: 0, count: d * c)
        if dual {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), 1, z, Int32(d), 0, &gram, Int32(n))
        } else {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(n), 1, z, Int32(d), 0, &gram, Int32(d))
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(c), Int32(n), 1, z, Int32(d),
                        y, Int32(c), 0, &rhs, Int32(c))
        }
        return alphas.map { alpha in
            var solution = solve(gram, m: m, rhs: rhs, columns: c, alpha: alpha)
            if dual {
                var w = [Double](repeating: 0, count: d * c)
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(c), Int32(n), 1, z, Int32(d),
                            solution, Int32(c), 0, &w, Int32(c))
                solution = w
            }
            var b = yOffset
            for k in 0..<c { for j in 0..<d { b[k] -= zOffset[j] * solution[j * c + k] } }
            return RidgeClassifier(classes: classes, mean: mean, scale: scale, weights: solution, intercept: b)
        }
    }

    /// Column means and population standard deviations, with scale 1 for columns scikit-learn's
    /// `StandardScaler` deems constant (var ≤ n·ε·var + (n·mean·ε)²).
    static func standardization(_ data: RidgeData) -> (mean: [Double], scale: [Double]) {
        let n = data.n, d = data.d
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += data.x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var squares = [Double](repeating: 0, count: d), correction = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d {
                let t = data.x[i * d + j] - mean[j]
                correction[j] += t
                squares[j] += t * t
            }
        }
        let eps = Double.ulpOfOne, count = Double(n)
        let scale = (0..<d).map { j -> Double in
            let variance = (squares[j] - correction[j] * correction[j] / count) / count
            let bound = count * eps * variance + (count * mean[j] * eps) * (count * mean[j] * eps)
            return variance <= bound ? 1 : variance.squareRoot()
        }
        return (mean, scale)
    }

    /// (G + αI)⁻¹ R for the symmetric m × m `gram` (upper triangle read) and m × `columns` `rhs`.
    private static func solve(_ gram: [Double], m: Int, rhs: [Double], columns c: Int, alpha: Double) -> [Double] {
        var a = gram
        for i in 0..<m { a[i * m + i] += alpha }
        var b = rhs
        let upper = CChar(UInt8(ascii: "U"))
        if LAPACKE_dposv(LAPACK_ROW_MAJOR, upper, Int32(m), Int32(c), &a, Int32(m), &b, Int32(c)) == 0 { return b }
        // Not numerically positive definite: minimum-norm least squares, as scikit-learn falls back to.
        a = gram
        for i in 0..<m {
            a[i * m + i] += alpha
            for j in 0..<i { a[i * m + j] = a[j * m + i] }
        }
        b = rhs
        var singular = [Double](repeating: 0, count: m)
        var rank: Int32 = 0
        _ = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(m), Int32(c), &a, Int32(m), &b, Int32(c), &singular, -1, &rank)
        return b
    }

    /// The decision values z W + b of `data`'s rows: n × C row-major.
    func decision(_ data: RidgeData) -> [Double] {
        let n = data.n, d = data.d, c = classes.count
        precondition(d == mean.count, "[linear_probe] fitted on \(mean.count) columns, given \(d)")
        var z = data.x
        for i in 0..<n { for j in 0..<d { z[i * d + j] = (z[i * d + j] - mean[j]) / scale[j] } }
        var out = [Double](repeating: 0, count: n * c)
        for i in 0..<n { for k in 0..<c { out[i * c + k] = intercept[k] } }
        guard n > 0 else { return out }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(c), Int32(d), 1, z, Int32(d),
                    weights, Int32(c), 1, &out, Int32(c))
        return out
    }

    /// The class of the largest decision value per row (the first, i.e. smallest label, on ties).
    func predict(_ data: RidgeData) -> [Int] {
        let values = decision(data), c = classes.count
        return (0..<data.n).map { i in
            var best = 0
            for k in 1..<c where values[i * c + k] > values[i * c + best] { best = k }
            return classes[best]
        }
    }

    /// The fraction of `data`'s rows predicted right.
    func accuracy(_ data: RidgeData) -> Double {
        guard data.n > 0 else { return 0 }
        let right = zip(predict(data), data.labels).filter { $0 == $1 }.count
        return Double(right) / Double(data.n)
    }
}
