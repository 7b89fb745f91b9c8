import Foundation
import Tensors

extension DataRecipe {
    /// Checks what can be checked without reading the data: every file of a file-backed source
    /// is present (the error lists all that are missing), and every parameter is valid.
    public func check() throws {
        guard shuffleFraction >= 0, shuffleFraction <= 1 else {
            throw DatasetError.invalid("the fraction of shuffled labels is \(shuffleFraction); it must be in [0, 1]")
        }
        for (name, size) in [("train", trainSize), ("test", testSize)] {
            if let size, size < 0 { throw DatasetError.invalid("the \(name) subset size is \(size); it must be ≥ 0") }
        }
        switch source {
        case .fashionMNIST(let directory):
            let dir = directory ?? FashionMNIST.defaultDirectory
            let missing = FashionMNIST.missingFiles(in: dir)
            if !missing.isEmpty {
                throw DatasetError.missingDataset(name: "Fashion-MNIST", directory: dir, missing: missing,
                                                  hint: FashionMNIST.installHint)
            }
        case .cifar10(let directory):
            let dir = directory ?? CIFAR10.defaultDirectory
            let missing = CIFAR10.missingFiles(in: dir)
            if !missing.isEmpty {
                throw DatasetError.missingDataset(name: "CIFAR-10", directory: dir, missing: missing, hint: CIFAR10.installHint)
            }
        case .cifar100(let directory, _):
            let dir = directory ?? CIFAR100.defaultDirectory
            let missing = CIFAR100.missingFiles(in: dir)
            if !missing.isEmpty {
                throw DatasetError.missingDataset(name: "CIFAR-100", directory: dir, missing: missing, hint: CIFAR100.installHint)
            }
        case .manifold(let kind, let D, let noise, let train, let test):
            try SyntheticManifold.validate(kind, count: train, ambientDimension: D, noise: noise)
            try SyntheticManifold.validate(kind, count: test, ambientDimension: D, noise: noise)
        case .clusters(let parameters):
            try parameters.validate()
        case .arrays(let files, _):
            let problems = files.inspect().problems
            if !problems.isEmpty { throw DatasetError.invalid(problems.map { $0.description }.joined(separator: "\n")) }
        }
    }

    /// Loads or generates both splits, subsets, shuffles labels, scales and fingerprints them.
    ///
    /// - Throws: `DatasetError` for missing or damaged files, subset sizes larger than a split,
    ///   or invalid parameters; each message names the file or setting.
    public func prepare() throws -> PreparedData {
        try check()
        var (train, test, origin) = try loadSplits()
        var rng = RandomStream(seed: seed, path: "data/subset")
        if let n = trainSize, n > train.count {
            throw DatasetError.invalid("the train subset asks for \(n) examples but the training split has \(train.count)")
        }
        train = try Subset.apply(trainSize, to: train, method: subset, rng: &rng)
        if let n = testSize, n > test.count {
            throw DatasetError.invalid("the test subset asks for \(n) examples but the test split has \(test.count)")
        }
        test = try Subset.apply(testSize, to: test, method: subset, rng: &rng)
        (train, test) = try LabelShuffle.apply(shuffleLabels, train: train, test: test, fraction: shuffleFraction, seed: seed)
        if scaling == .standardize {
            (train, test, _) = try Preprocessing.standardize(train: train, test: test)
        }
        return PreparedData(train: train, test: test, fingerprint: Fingerprint.of([train, test], settings: settings),
                            source: origin)
    }

    /// Both splits as loaded or generated, and a human-readable origin.
    func loadSplits() throws -> (train: LabeledSet, test: LabeledSet, origin: String) {
        switch source {
        case .fashionMNIST(let directory):
            let dir = directory ?? FashionMNIST.defaultDirectory
            return (try FashionMNIST.load(directory: dir, split: .train),
                    try FashionMNIST.load(directory: dir, split: .test), dir)
        case .cifar10(let directory):
            let dir = directory ?? CIFAR10.defaultDirectory
            return (try CIFAR10.load(directory: dir, split: .train), try CIFAR10.load(directory: dir, split: .test),
                    CIFAR10.resolvedDirectory(dir) ?? dir)
        case .cifar100(let directory, let kind):
            let dir = directory ?? CIFAR100.defaultDirectory
            return (try CIFAR100.load(directory: dir, split: .train, labels: kind),
                    try CIFAR100.load(directory: dir, split: .test, labels: kind),
                    CIFAR100.resolvedDirectory(dir) ?? dir)
        case .manifold(let kind, let D, let noise, let trainCount, let testCount):
            let data = try SyntheticManifold.prepared(kind, train: trainCount, test: testCount, ambientDimension: D,
                                                      noise: noise, seed: seed)
            return (data.train, data.test, data.source)
        case .clusters(let parameters):
            let data = try ClusteredTask.generate(parameters).prepared()
            return (data.train, data.test, data.source)
        case .arrays(let files, _):
            let (train, test, _) = try files.load()
            return (train, test, files.paths.joined(separator: ", "))
        }
    }
}
