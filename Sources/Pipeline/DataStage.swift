import Datasets
import ExperimentSpec
import Foundation
import Tensors

/// Prepares the arrays a data spec describes: loads, subsets, scales, fingerprints.
enum DataStage {
    static func prepare(_ spec: DataSpec) throws -> PreparedData {
        let directory = spec.path ?? FashionMNIST.defaultDirectory
        var train = try FashionMNIST.load(directory: directory, split: "train")
        var test = try FashionMNIST.load(directory: directory, split: "t10k")
        var rng = RandomStream(seed: spec.seed, path: "data/subset")
        if let n = spec.trainSize {
            guard n <= train.count else {
                throw DatasetError.invalid("data.train_size is \(n) but the training split has \(train.count) examples")
            }
            train = train.subset(select(n, from: train.labels, classes: train.classes, method: spec.subset, rng: &rng))
        }
        if let n = spec.testSize {
            guard n <= test.count else {
                throw DatasetError.invalid("data.test_size is \(n) but the test split has \(test.count) examples")
            }
            test = test.subset(select(n, from: test.labels, classes: test.classes, method: spec.subset, rng: &rng))
        }
        if spec.scaling == .standardize {
            // One mean and standard deviation over all training pixels (a single grey channel).
            let values = train.inputs.scalars
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
            let std = Float(max(variance.squareRoot(), 1e-12))
            for i in train.inputs.scalars.indices { train.inputs.scalars[i] = (train.inputs.scalars[i] - Float(mean)) / std }
            for i in test.inputs.scalars.indices { test.inputs.scalars[i] = (test.inputs.scalars[i] - Float(mean)) / std }
        }
        let settings = "fashion-mnist|train=\(spec.trainSize.map(String.init) ?? "all")|test=\(spec.testSize.map(String.init) ?? "all")|subset=\(spec.subset.rawValue)|scaling=\(spec.scaling.rawValue)|seed=\(spec.seed)"
        return PreparedData(train: train, test: test, fingerprint: Fingerprint.of([train, test], settings: settings),
                            source: directory)
    }

    /// Indices of `n` examples chosen by `method`, in ascending order.
    static func select(_ n: Int, from labels: [Int], classes: Int, method: SubsetMethod, rng: inout RandomStream) -> [Int] {
        switch method {
        case .first:
            return Array(0..<n)
        case .random:
            return rng.permutation(labels.count).prefix(n).sorted()
        case .stratified:
            // Equal share per class (the remainder to the lowest classes), seeded within each class.
            var byClass = [[Int]](repeating: [], count: classes)
            for (i, y) in labels.enumerated() { byClass[y].append(i) }
            var picked: [Int] = []
            for c in 0..<classes {
                let share = n / classes + (c < n % classes ? 1 : 0)
                let order = rng.permutation(byClass[c].count)
                picked += order.prefix(share).map { byClass[c][$0] }
            }
            return picked.sorted()
        }
    }
}
