import AccordionTestSupport
import Foundation
import Testing
@testable import Datasets
import Tensors

@Suite("Fashion-MNIST loader")
struct FashionMNISTTests {
    @Test("the installed dataset has the documented shapes, pixel range and balanced labels")
    func realData() throws {
        let train = try FashionMNIST.load(split: "train")
        let test = try FashionMNIST.load(split: "t10k")
        #expect(train.inputs.shape == [60000, 784])
        #expect(test.inputs.shape == [10000, 784])
        #expect(train.inputs.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(train.imageShape == ImageShape(channels: 1, height: 28, width: 28))
        #expect(test.imageTensor?.shape == [10000, 1, 28, 28])
        #expect(train.labels.allSatisfy { (0..<10).contains($0) } && test.labels.allSatisfy { (0..<10).contains($0) })
        var counts = [Int](repeating: 0, count: 10)
        for y in train.labels { counts[y] += 1 }
        #expect(counts == Array(repeating: 6000, count: 10))
        var testCounts = [Int](repeating: 0, count: 10)
        for y in test.labels { testCounts[y] += 1 }
        #expect(testCounts == Array(repeating: 1000, count: 10))
    }

    @Test("a missing directory names the files and how to install them")
    func missing() {
        do {
            _ = try FashionMNIST.load(directory: "/nonexistent/fmnist", split: "train")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("/nonexistent/fmnist/train-images-idx3-ubyte.gz"))
            #expect(text.contains("apt-get install dataset-fashion-mnist"))
        }
    }

    @Test("a recipe on the installed dataset subsets per class and standardises by the training split")
    func realRecipe() throws {
        let recipe = DataRecipe(source: .fashionMNIST(), trainSize: 1000, testSize: 300, subset: .stratified,
                                scaling: .standardize, seed: 1)
        let data = try recipe.prepare()
        #expect(data.train.inputs.shape == [1000, 784])
        #expect(data.test.inputs.shape == [300, 784])
        #expect(data.train.classCounts == Array(repeating: 100, count: 10))
        #expect(data.test.classCounts == Array(repeating: 30, count: 10))
        #expect(data.train.imageShape == FashionMNIST.imageShape)
        let stats = try Preprocessing.channelStatistics(of: data.train.inputs, channels: 1)
        #expect(abs(stats.means[0]) < 1e-5 && abs(stats.stds[0] - 1) < 1e-5)
        #expect(data.source == FashionMNIST.defaultDirectory)
        #expect(data.fingerprint == Fingerprint.of([data.train, data.test], settings: recipe.settings))
    }

    @Test("a recipe for a missing directory lists all four files before reading any")
    func missingRecipe() {
        #expect(throws: DatasetError.missingDataset(name: "Fashion-MNIST", directory: "/nonexistent/fmnist",
                                                    missing: FashionMNIST.files, hint: FashionMNIST.installHint)) {
            try DataRecipe(source: .fashionMNIST(directory: "/nonexistent/fmnist")).prepare()
        }
    }

    /// Writes an IDX pair with `n` images into a temporary directory, optionally damaged.
    static func writeFixture(n: Int, imageMagic: UInt8 = 3, truncateImages: Int = 0, labelCount: Int? = nil) throws -> URL {
        let dir = TestSupport.temporaryDirectory("idx")
        var images: [UInt8] = [0, 0, 8, imageMagic]
        for v in [n, 28, 28] { images += [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        images += (0..<(n * 784)).map { UInt8($0 % 256) }
        let ln = labelCount ?? n
        var labels: [UInt8] = [0, 0, 8, 1, UInt8(ln >> 24 & 0xFF), UInt8(ln >> 16 & 0xFF), UInt8(ln >> 8 & 0xFF), UInt8(ln & 0xFF)]
        labels += (0..<ln).map { UInt8($0 % 10) }
        var gzImages = try Gzip.compress(Data(images))
        if truncateImages > 0 { gzImages = gzImages.dropLast(truncateImages) }
        try gzImages.write(to: dir.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try Gzip.compress(Data(labels)).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        return dir
    }

    @Test("a well-formed small file in the same format loads with exact values")
    func smallFile() throws {
        let set = try FashionMNIST.load(directory: Self.writeFixture(n: 3).path, split: "train")
        #expect(set.inputs.shape == [3, 784])
        #expect(set.labels == [0, 1, 2])
        #expect(set.inputs.scalars[1] == Float(1) / 255)
    }

    @Test("uncompressed IDX files and the test split by name load like the .gz originals")
    func uncompressedAndSplitName() throws {
        let dir = try Self.writeFixture(n: 3)
        let gz = try FashionMNIST.load(directory: dir.path, split: .train)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] {
            let packed = try Data(contentsOf: dir.appendingPathComponent(name + ".gz"))
            try Gzip.decompress(packed).write(to: dir.appendingPathComponent(name))
            try FileManager.default.removeItem(at: dir.appendingPathComponent(name + ".gz"))
        }
        let plain = try FashionMNIST.load(directory: dir.path, split: "train")
        #expect(plain.inputs == gz.inputs && plain.labels == gz.labels)
        for suffix in ["images-idx3-ubyte", "labels-idx1-ubyte"] {
            try FileManager.default.moveItem(at: dir.appendingPathComponent("train-\(suffix)"),
                                             to: dir.appendingPathComponent("t10k-\(suffix)"))
        }
        #expect(try FashionMNIST.load(directory: dir.path, split: .test).labels == [0, 1, 2])
        #expect(FashionMNIST.missingFiles(in: dir.path) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
        #expect(throws: DatasetError.invalid("unknown Fashion-MNIST split 'test': expected 'train' or 't10k'")) {
            try FashionMNIST.load(directory: dir.path, split: "test")
        }
    }

    @Test("damaged files give a clear error naming the file and the problem",
          arguments: [
            ("truncated gzip", 0, 40, nil, "truncated"),
            ("wrong magic number", 4, 0, nil, "magic number"),
            ("labels disagree with images", 0, 0, 5, "labels"),
          ] as [(String, Int, Int, Int?, String)])
    func damaged(_ id: String, magic: Int, truncate: Int, labels: Int?, expected: String) throws {
        let dir = try Self.writeFixture(n: 4, imageMagic: magic == 0 ? 3 : UInt8(magic), truncateImages: truncate, labelCount: labels)
        do {
            _ = try FashionMNIST.load(directory: dir.path, split: "train")
            Issue.record("\(id): expected an error")
        } catch let error as DatasetError {
            #expect("\(error)".contains(expected), "\(id): \(error)")
            #expect("\(error)".contains(dir.path), "\(id): \(error)")
        }
    }

    @Test("the fingerprint changes with the data and with the settings")
    func fingerprint() throws {
        let a = try FashionMNIST.load(directory: Self.writeFixture(n: 3).path, split: "train")
        var b = a
        b.inputs.scalars[0] = 0.5
        let fa = Fingerprint.of([a], settings: "x")
        #expect(fa == Fingerprint.of([a], settings: "x"))
        #expect(fa != Fingerprint.of([b], settings: "x"))
        #expect(fa != Fingerprint.of([a], settings: "y"))
        #expect(fa.count == 64)
    }
}
