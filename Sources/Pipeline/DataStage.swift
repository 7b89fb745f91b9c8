import Datasets
import ExperimentSpec
import Foundation
import Tensors

/// Prepares the arrays a data spec describes, through the engine's ``DataRecipe``.
enum DataStage {
    static func recipe(_ spec: DataSpec) throws -> DataRecipe {
        let source: DataRecipe.Source
        switch spec.dataset {
        case .fashionMNIST: source = .fashionMNIST(directory: spec.path)
        case .cifar10: source = .cifar10(directory: spec.path)
        case .cifar100: source = .cifar100(directory: spec.path, labels: spec.labels == .coarse ? .coarse : .fine)
        case .manifold:
            guard let m = spec.manifold else { throw DatasetError.invalid("data.dataset is manifold but data.manifold is missing") }
            let kind: SyntheticManifold.Kind
            switch m.kind {
            case .hypercube: kind = .hypercube(dimension: m.dimension)
            case .hypersphere: kind = .hypersphere(dimension: m.dimension)
            case .swissRoll: kind = .swissRoll()
            case .torus: kind = .torus()
            case .flatTorus: kind = .flatTorus(dimension: m.dimension)
            case .gaussian: kind = .gaussian(dimension: m.dimension)
            case .linear: kind = .linearSubspace(scales: Array(repeating: 1, count: m.dimension))
            case .momentCurve: kind = .momentCurve(degree: m.dimension)
            }
            source = .manifold(kind, ambientDimension: m.ambient, noise: m.noise, train: m.trainPoints, test: m.testPoints)
        case .clusters:
            guard let c = spec.clusters else { throw DatasetError.invalid("data.dataset is clusters but data.clusters is missing") }
            let centers: ClusteredTask.Parameters.CenterDistribution
            switch c.centerDistribution {
            case .gaussian: centers = .gaussian
            case .uniform: centers = .uniform(side: c.side ?? ClustersSpec.defaultSide)
            }
            source = .clusters(ClusteredTask.Parameters(ambientDimension: c.ambient, clusters: c.count, clusterStd: c.std,
                                                        pointsPerCluster: c.trainPerCluster,
                                                        testPointsPerCluster: c.testPerCluster, centerStd: c.centerStd ?? 1,
                                                        centers: centers, classes: c.classCount, seed: spec.seed))
        case .arrays:
            guard let a = spec.arrays else { throw DatasetError.invalid("data.dataset is arrays but data.arrays is missing") }
            let files = arrayFiles(a)
            let (summary, problems) = files.inspect()
            guard let summary else { throw DatasetError.invalid(problems.map { $0.description }.joined(separator: "\n")) }
            source = .arrays(files, summary)
        }
        let subset: Subset.Method
        switch spec.subset {
        case .first: subset = .first
        case .stratified: subset = .stratified
        case .random: subset = .random
        }
        let shuffle: LabelShuffle.Target
        switch spec.shuffleLabels {
        case .none: shuffle = .none
        case .train: shuffle = .train
        case .test: shuffle = .test
        case .both: shuffle = .both
        }
        return DataRecipe(source: source, trainSize: spec.trainSize, testSize: spec.testSize, subset: subset,
                          scaling: spec.scaling == .standardize ? .standardize : .unit, shuffleLabels: shuffle,
                          shuffleFraction: spec.shuffleFraction, seed: spec.seed)
    }

    /// The engine's description of `data.arrays`: four `.npy` files, or four members of one archive.
    static func arrayFiles(_ a: ArraysSpec) -> ArrayFiles {
        func location(_ key: String) -> ArrayFiles.Location {
            a.file.map { ArrayFiles.Location(path: $0, member: a.value(of: key)) } ?? ArrayFiles.Location(path: a.value(of: key))
        }
        let layout: ArrayFiles.Layout
        switch a.layout {
        case .nchw: layout = .nchw
        case .nhwc: layout = .nhwc
        case .flat: layout = .flat
        }
        return ArrayFiles(trainInputs: location("train_inputs"), trainLabels: location("train_labels"),
                          testInputs: location("test_inputs"), testLabels: location("test_labels"),
                          layout: layout, classes: a.classes)
    }

    static func prepare(_ spec: DataSpec) throws -> PreparedData {
        try recipe(spec).prepare()
    }
}
