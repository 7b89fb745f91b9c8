import EstimatorVocabulary
import Tensors

/// Cross-validated accuracy of a linear read-out of the class from a representation.
///
/// The classifier is scikit-learn's `RidgeClassifier` behind a `StandardScaler`:
/// ```
/// z = (x − m) / s                     m, s: mean and population std of the training fold
///                                     (s = 1 for a constant column)
/// Y_ic = +1 if yᵢ = c else −1         one column per class of the training fold
/// (W, b) = argmin ‖Z W + 1 bᵀ − Y‖² + α ‖W‖²      (intercept b not penalised)
/// ŷ = the class of the largest column of z W + b  (ties: the smallest label)
/// ```
/// The folds are stratified exactly as scikit-learn's `StratifiedKFold(n_splits = folds)`
/// assigns them (classes in order of first appearance, each class's points dealt to folds in
/// order); with `shuffle` the points are first permuted by a seeded ``RandomStream``. With
/// `alpha = cv`, α is chosen on each training fold by an inner stratified `folds`-fold search
/// over ``alphaGrid`` (scikit-learn's `GridSearchCV`: highest mean inner accuracy, ties to the
/// smaller α), then refitted on the whole training fold.
///
/// The value is the mean of the fold accuracies (in [0, 1]); the error bar is their sample
/// standard deviation (N − 1). A task-relevance measure, not an intrinsic dimension.
///
/// - Complexity: per fit O(n·d·min(n, d) + min(n, d)³) — the primal normal equations
///   (XᵀX + αI, d × d) when n ≥ d, the dual kernel form (XXᵀ + αI, n × n) when d > n; with
///   `alpha = cv`, folds · (folds + 1) Gram matrices and folds · (folds · 7 + 1) Cholesky solves.
public enum LinearProbe {
    public static let name = "linear_probe"

    /// The ridge strengths searched with `alpha = cv`: 10⁻³, 10⁻², …, 10³.
    public static let alphaGrid: [Double] = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]

    /// How the ridge strength is set.
    public enum Alpha: Sendable, Equatable {
        case fixed(Double)
        case crossValidated
    }

    public struct Settings: Sendable, Equatable {
        /// Outer (and inner) cross-validation folds, at least 2.
        public var folds: Int
        public var alpha: Alpha
        /// Whether the points are permuted (seeded) before they are dealt to folds.
        public var shuffle: Bool

        public init(folds: Int = EstimatorCatalog.LinearProbe.folds.defaultValue, alpha: Alpha = .crossValidated,
                    shuffle: Bool = EstimatorCatalog.LinearProbe.shuffle.defaultValue) {
            self.folds = folds
            self.alpha = alpha
            self.shuffle = shuffle
        }

        var alphaText: String {
            switch alpha {
            case .fixed(let a): return formatNumber(a)
            case .crossValidated: return "cv"
            }
        }

        var flavour: String {
            let how: String
            switch alpha {
            case .fixed(let a): how = "α = \(formatNumber(a))"
            case .crossValidated: how = "α by inner \(folds)-fold CV over 1e-3…1e3"
            }
            return "standardized ridge classifier (one-vs-all ±1), \(how), stratified \(folds)-fold CV accuracy"
                + (shuffle ? " (seeded shuffle)" : " (data order)") + "; error bar: std across folds"
        }
    }

    /// The outcome of a cross-validation.
    public struct Outcome: Sendable, Equatable {
        /// Accuracy on each held-out fold.
        public var accuracies: [Double]
        /// The α each fold's classifier was fitted with.
        public var alphas: [Double]
    }

    /// The test fold (0..<folds) of every point, as scikit-learn's
    /// `StratifiedKFold(n_splits: folds, shuffle: False).split` assigns them.
    public static func stratifiedFolds(_ labels: [Int], folds k: Int) -> [Int] {
        precondition(k >= 1, "[linear_probe] folds = \(k) must be positive")
        // Classes numbered by first appearance.
        var code: [Int: Int] = [:]
        let encoded = labels.map { y -> Int in
            if let c = code[y] { return c }
            code[y] = code.count
            return code.count - 1
        }
        let classes = code.count
        let sorted = encoded.sorted()
        // allocation[f][c]: points of class c in fold f (every k-th of the sorted codes from f).
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes), count: k)
        for (position, c) in sorted.enumerated() { allocation[position % k][c] += 1 }
        var next = [Int](repeating: 0, count: classes)   // the fold class c deals to next
        var left = (0..<classes).map { allocation[0][$0] }
        var out = [Int](repeating: 0, count: labels.count)
        for (i, c) in encoded.enumerated() {
            while left[c] == 0 {
                next[c] += 1
                left[c] = allocation[next[c]][c]
            }
            out[i] = next[c]
            left[c] -= 1
        }
        return out
    }

    /// Cross-validated accuracies of the ridge classifier on `x` (n × d, row-major Float64).
    ///
    /// `order` (a permutation of the points, default their own order) is the order in which
    /// points are dealt to folds and kept within each fold.
    public static func crossValidate(_ x: [Double], rows n: Int, columns d: Int, labels: [Int],
                                     settings: Settings, order: [Int]? = nil) -> Outcome {
        precondition(x.count == n * d && labels.count == n, "[linear_probe] \(x.count) values, \(labels.count) labels for \(n) × \(d)")
        let order = order ?? Array(0..<n)
        let folds = stratifiedFolds(order.map { labels[$0] }, folds: settings.folds)
        var accuracies: [Double] = [], alphas: [Double] = []
        for f in 0..<settings.folds {
            let train = order.indices.filter { folds[$0] != f }.map { order[$0] }
            let test = order.indices.filter { folds[$0] == f }.map { order[$0] }
            let trainSet = RidgeData(x, columns: d, rows: train, labels: labels)
            let alpha: Double
            switch settings.alpha {
            case .fixed(let a): alpha = a
            case .crossValidated: alpha = chooseAlpha(trainSet, folds: settings.folds)
            }
            let model = RidgeClassifier.fit(trainSet, alphas: [alpha])[0]
            let testSet = RidgeData(x, columns: d, rows: test, labels: labels)
            accuracies.append(model.accuracy(testSet))
            alphas.append(alpha)
        }
        return Outcome(accuracies: accuracies, alphas: alphas)
    }

    /// The α of ``alphaGrid`` with the best mean accuracy over an inner stratified split of
    /// `data` (first on ties), as `GridSearchCV` picks it.
    static func chooseAlpha(_ data: RidgeData, folds k: Int) -> Double {
        let means = innerAccuracies(data, folds: k)
        var best = 0
        for a in 1..<alphaGrid.count where means[a] > means[best] { best = a }
        return alphaGrid[best]
    }

    /// For each α of ``alphaGrid``, the mean accuracy over an inner stratified k-fold split of
    /// `data` (summed fold by fold, then divided by k, as NumPy's mean of `k` numbers).
    static func innerAccuracies(_ data: RidgeData, folds k: Int) -> [Double] {
        let inner = stratifiedFolds(data.labels, folds: k)
        var sums = [Double](repeating: 0, count: alphaGrid.count)
        for f in 0..<k {
            let fit = data.subset(inner.indices.filter { inner[$0] != f })
            let held = data.subset(inner.indices.filter { inner[$0] == f })
            for (a, model) in RidgeClassifier.fit(fit, alphas: alphaGrid).enumerated() {
                sums[a] += model.accuracy(held)
            }
        }
        return sums.map { $0 / Double(k) }
    }
}
