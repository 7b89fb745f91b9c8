import AccordionTestSupport
import Foundation
import Tensors
import Testing
@testable import Datasets

@Suite("Data recipes")
struct DataRecipeTests {
    @Test("settings strings are canonical and name every choice",
          arguments: [
            (DataRecipe(source: .fashionMNIST()), "fashion-mnist|train=all|test=all|subset=first|scaling=unit|seed=0"),
            (DataRecipe(source: .fashionMNIST(directory: "/elsewhere"), trainSize: 2000, testSize: 500,
                        subset: .stratified, scaling: .standardize, seed: 3),
             "fashion-mnist|train=2000|test=500|subset=stratified|scaling=standardize|seed=3"),
            (DataRecipe(source: .cifar100(labels: .coarse), shuffleLabels: .train, shuffleFraction: 0.5),
             "cifar-100(coarse)|train=all|test=all|subset=first|scaling=unit|seed=0|shuffle_labels=train|shuffle_fraction=0.5"),
            (DataRecipe(source: .manifold(.hypersphere(dimension: 9), ambientDimension: 100, noise: 0.1, train: 1000, test: 200)),
             "synthetic(hypersphere(d=9),ambient=100,noise=0.1,train=1000,test=200)|train=all|test=all|subset=first|scaling=unit|seed=0"),
          ] as [(DataRecipe, String)])
    func settings(_ recipe: DataRecipe, expected: String) {
        #expect(recipe.settings == expected)
    }

    @Test("a synthetic recipe prepares, subsets, shuffles and standardises in order")
    func synthetic() throws {
        let base = DataRecipe(source: .manifold(.gaussian(dimension: 3), ambientDimension: 8, train: 400, test: 100),
                              trainSize: 300, subset: .stratified, seed: 4)
        let plain = try base.prepare()
        #expect(plain.train.inputs.shape == [300, 8])
        #expect(plain.test.inputs.shape == [100, 8])
        #expect(plain.train.classCounts == [150, 150])
        #expect(plain.fingerprint == (try base.prepare()).fingerprint)

        var shuffled = base
        shuffled.shuffleLabels = .train
        let s = try shuffled.prepare()
        #expect(s.train.inputs == plain.train.inputs)
        #expect(s.train.labels != plain.train.labels && s.train.labels.sorted() == plain.train.labels.sorted())
        #expect(s.test.labels == plain.test.labels)
        #expect(s.fingerprint != plain.fingerprint)

        var standardized = base
        standardized.scaling = .standardize
        let z = try standardized.prepare()
        let values = z.train.inputs.scalars.map(Double.init)
        #expect(abs(values.reduce(0, +) / Double(values.count)) < 1e-6)
        #expect(z.fingerprint != plain.fingerprint)
    }

    @Test("the clustered task is a recipe source with its own seed")
    func clusters() throws {
        let p = ClusteredTask.Parameters(ambientDimension: 20, clusters: 6, clusterStd: 0.3, pointsPerCluster: 10,
                                         testPointsPerCluster: 4, seed: 8)
        let data = try DataRecipe(source: .clusters(p)).prepare()
        #expect(data.train.inputs.shape == [60, 20])
        #expect(data.test.inputs.shape == [24, 20])
        #expect(data.train.classCounts == [30, 30])
        #expect(DataRecipe.Source.clusters(p).features == 20)
    }

    @Test("a subset larger than its split is reported before any arrays are used")
    func tooLarge() {
        let recipe = DataRecipe(source: .manifold(.hypercube(dimension: 2), ambientDimension: 3, train: 50, test: 10),
                                testSize: 11)
        #expect(throws: DatasetError.invalid("the test subset asks for 11 examples but the test split has 10")) {
            try recipe.prepare()
        }
    }

    @Test("sources know their shapes and classes before loading")
    func sourceFacts() {
        #expect(DataRecipe.Source.cifar10().imageShape == ImageShape(channels: 3, height: 32, width: 32))
        #expect(DataRecipe.Source.cifar100(labels: .coarse).classes == 20)
        #expect(DataRecipe.Source.fashionMNIST().features == 784)
        #expect(DataRecipe.Source.manifold(.torus(), ambientDimension: 7, train: 1, test: 1).features == 7)
    }

    @Test("check rejects impossible synthetic settings without generating anything")
    func checkSynthetic() {
        #expect(throws: DatasetError.invalid("gaussian(d=2) is drawn in R^2; the ambient dimension 1 must be at least 2")) {
            try DataRecipe(source: .manifold(.gaussian(dimension: 2), ambientDimension: 1, train: 5, test: 5)).check()
        }
        #expect(throws: DatasetError.invalid("gaussian(d=2): cannot draw 0 points; ask for at least 1")) {
            try DataRecipe(source: .manifold(.gaussian(dimension: 2), ambientDimension: 3, train: 5, test: 0)).check()
        }
        #expect(throws: DatasetError.invalid("the fraction of shuffled labels is -0.1; it must be in [0, 1]")) {
            try DataRecipe(source: .manifold(.gaussian(dimension: 2), ambientDimension: 3, train: 5, test: 5),
                           shuffleLabels: .both, shuffleFraction: -0.1).check()
        }
    }

    @Test("settings values cannot break the key=value|… layout")
    func escaping() {
        #expect(Fingerprint.settings(["part": "a|b=c%", "n": "3"]) == "part=a%7Cb=c%25|n=3")
    }
}

@Suite("Dataset catalogue")
struct DataCatalogTests {
    @Test("file-backed sources report where they were looked for and what is missing")
    func fileBacked() throws {
        let cifar = try CIFARFixtures.writeCIFAR10()
        let entries = DataCatalog.entries(cifar10: cifar.path, cifar100: "/nonexistent/c100")
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        let c10 = try #require(byName["cifar-10"])
        #expect(c10.isAvailable && c10.foundIn == cifar.path && !c10.isDefaultDirectory)
        let c100 = try #require(byName["cifar-100"])
        #expect(!c100.isAvailable)
        #expect(c100.missingFiles == ["train.bin", "test.bin"])
        #expect(byName["fashion-mnist"]?.isDefaultDirectory == true)
        #expect(byName["fashion-mnist"]?.directory == FashionMNIST.defaultDirectory)
        for name in ["hypercube", "hypersphere", "swiss_roll", "torus", "flat_torus", "gaussian", "linear",
                     "moment_curve"].map({ "manifold.kind: " + $0 }) + ["dataset: clusters"] {
            #expect(byName[name]?.isAvailable == true, "\(name)")
        }
        let text = DataCatalog.render(entries)
        #expect(text.contains("cifar-10       available  \(cifar.path)\n"))
        #expect(text.contains("cifar-100      missing    /nonexistent/c100\n"))
        #expect(text.contains("    missing: train.bin, test.bin\n    help: download the binary version (cifar-100-binary.tar.gz)"))
        #expect(text.contains("generated (always available; the spec key under data:):\n  manifold.kind: hypercube     uniform in [0,1]^d; ID d, PR d"))
    }

    @Test("the installed Fashion-MNIST is listed as available with its files")
    func installed() {
        let entry = DataCatalog.entries().first { $0.name == "fashion-mnist" }
        #expect(entry?.isAvailable == true)
        #expect(entry?.missingFiles == [])
        #expect(DataCatalog.render(DataCatalog.entries()).contains(
            "fashion-mnist  available  /usr/share/datasets/fashion-mnist (default)\n"))
    }
}
