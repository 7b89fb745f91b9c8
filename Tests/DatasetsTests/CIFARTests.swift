import AccordionTestSupport
import Foundation
import Testing
@testable import Datasets
import Tensors

@Suite("CIFAR-10 and CIFAR-100 binary readers")
struct CIFARTests {
    @Test("CIFAR-10 splits have the record count of their files, 3072 values per row and image shape 3×32×32")
    func cifar10Shapes() throws {
        let dir = try CIFARFixtures.writeCIFAR10(perBatch: 3, test: 4)
        let train = try CIFAR10.load(directory: dir.path, split: .train)
        let test = try CIFAR10.load(directory: dir.path, split: .test)
        #expect(train.inputs.shape == [15, 3072])
        #expect(test.inputs.shape == [4, 3072])
        #expect(train.imageShape == ImageShape(channels: 3, height: 32, width: 32))
        #expect(train.imageTensor?.shape == [15, 3, 32, 32])
        #expect(train.classes == 10)
        // Batches are concatenated in file order, data_batch_1 first.
        #expect(train.labels == (0..<15).map { Int(CIFARFixtures.label10($0)) })
        #expect(test.labels == (1000..<1004).map { Int(CIFARFixtures.label10($0)) })
        #expect(train.labels.allSatisfy { (0..<10).contains($0) })
    }

    @Test("every pixel is its byte divided by 255, red plane first, then green, then blue")
    func cifar10Pixels() throws {
        let dir = try CIFARFixtures.writeCIFAR10(perBatch: 2, test: 1)
        let train = try CIFAR10.load(directory: dir.path, split: .train)
        for i in [0, 3, 9] {
            for p in [0, 1, 31, 32, 1023, 1024, 2047, 2048, 3071] {
                #expect(train.inputs[i, p] == Float(CIFARFixtures.pixel(record: i, p)) / 255, "record \(i) byte \(p)")
            }
        }
        // Channel order: a record whose red plane is 255, green 0, blue 128.
        let odd = TestSupport.temporaryDirectory("cifar10-rgb")
        var record: [UInt8] = [4] + [UInt8](repeating: 255, count: 1024) + [UInt8](repeating: 0, count: 1024)
        record += [UInt8](repeating: 128, count: 1024)
        try Data(record).write(to: odd.appendingPathComponent("test_batch.bin"))
        let rgb = try CIFAR10.load(directory: odd.path, split: .test)
        let image = try #require(rgb.imageTensor)
        #expect(image.scalars[0 * 1024 + 5 * 32 + 7] == 1)          // [0, R, 5, 7]
        #expect(image.scalars[1 * 1024 + 5 * 32 + 7] == 0)          // [0, G, 5, 7]
        #expect(image.scalars[2 * 1024 + 31 * 32 + 31] == Float(128) / 255)  // [0, B, 31, 31]
        #expect(rgb.labels == [4])
    }

    @Test("the folder the official archive unpacks to is found inside the given directory")
    func archiveFolder() throws {
        let root = TestSupport.temporaryDirectory("cifar10-root")
        _ = try CIFARFixtures.writeCIFAR10(into: root.appendingPathComponent("cifar-10-batches-bin"))
        #expect(try CIFAR10.load(directory: root.path, split: .test).count == 4)
        #expect(CIFAR10.missingFiles(in: root.path).isEmpty)
        #expect(CIFAR10.resolvedDirectory(root.path) == root.appendingPathComponent("cifar-10-batches-bin").path)
    }

    @Test("CIFAR-100 keeps fine labels (100 classes) or coarse labels (20 classes)")
    func cifar100Labels() throws {
        let dir = try CIFARFixtures.writeCIFAR100(train: 6, test: 2)
        let fine = try CIFAR100.load(directory: dir.path, split: .train, labels: .fine)
        let coarse = try CIFAR100.load(directory: dir.path, split: .train, labels: .coarse)
        let test = try CIFAR100.load(directory: dir.path, split: .test)
        #expect(fine.inputs.shape == [6, 3072])
        #expect(test.inputs.shape == [2, 3072])
        #expect(fine.classes == 100)
        #expect(coarse.classes == 20)
        #expect(fine.labels == (0..<6).map { Int(CIFARFixtures.fine($0)) })
        #expect(coarse.labels == (0..<6).map { Int(CIFARFixtures.coarse($0)) })
        #expect(test.labels == (1000..<1002).map { Int(CIFARFixtures.fine($0)) })
        #expect(fine.labels != coarse.labels)
        // Two label bytes precede the pixels: the first pixel is not a label.
        #expect(fine.inputs[1, 0] == Float(CIFARFixtures.pixel(record: 1, 0)) / 255)
        #expect(fine.inputs[5, 3071] == Float(CIFARFixtures.pixel(record: 5, 3071)) / 255)
        #expect(fine.inputs.scalars == coarse.inputs.scalars)
    }

    @Test("a truncated file names the file and the record size",
          arguments: [("CIFAR-10", "data_batch_3.bin", 3073), ("CIFAR-100", "train.bin", 3074)])
    func truncated(_ dataset: String, file: String, recordSize: Int) throws {
        let dir = dataset == "CIFAR-10" ? try CIFARFixtures.writeCIFAR10() : try CIFARFixtures.writeCIFAR100()
        let url = dir.appendingPathComponent(file)
        let data = try Data(contentsOf: url)
        try data.dropLast(100).write(to: url)
        do {
            if dataset == "CIFAR-10" {
                _ = try CIFAR10.load(directory: dir.path, split: .train)
            } else {
                _ = try CIFAR100.load(directory: dir.path, split: .train)
            }
            Issue.record("\(dataset): expected an error for a truncated file")
        } catch let error as DatasetError {
            let records = data.count / recordSize
            #expect("\(error)" == "\(url.path) is corrupt: \(data.count - 100) bytes is not a whole number of \(recordSize)-byte records (\(dataset == "CIFAR-10" ? "1 label byte" : "coarse label byte + fine label byte") + 3072 pixel bytes): \(records - 1) whole records, then \(recordSize - 100) bytes of a truncated one")
        }
    }

    @Test("a missing directory lists exactly the files a split expects, and a recipe lists all of them")
    func missingDirectory() throws {
        let dir = "/nonexistent/cifar10"
        do {
            _ = try CIFAR10.load(directory: dir, split: .train)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error == .missingDataset(name: "CIFAR-10", directory: dir,
                                             missing: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                                       "data_batch_4.bin", "data_batch_5.bin"],
                                             hint: CIFAR10.installHint))
        }
        do {
            try DataRecipe(source: .cifar10(directory: dir)).check()
            Issue.record("expected an error")
        } catch let error as DatasetError {
            let first = "\(error)".split(separator: "\n").first.map(String.init)
            #expect(first == "CIFAR-10 not found in /nonexistent/cifar10: missing data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin")
            #expect("\(error)".contains("help: download the binary version (cifar-10-binary.tar.gz)"))
        }
        do {
            _ = try CIFAR100.load(directory: "/nonexistent/cifar100", split: .test)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect("\(error)".hasPrefix("CIFAR-100 not found in /nonexistent/cifar100: missing test.bin\nhelp: "))
        }
    }

    @Test("a directory with some batches lists only the missing ones")
    func partlyMissing() throws {
        let dir = try CIFARFixtures.writeCIFAR10(omit: ["data_batch_4.bin", "test_batch.bin"])
        #expect(CIFAR10.missingFiles(in: dir.path) == ["data_batch_4.bin", "test_batch.bin"])
        #expect(throws: DatasetError.missingDataset(name: "CIFAR-10", directory: dir.path, missing: ["test_batch.bin"],
                                                    hint: CIFAR10.installHint)) {
            try CIFAR10.load(directory: dir.path, split: .test)
        }
    }

    @Test("a label outside the class range is reported with the file and the record")
    func badLabel() throws {
        let dir = TestSupport.temporaryDirectory("cifar10-label")
        var bytes = [UInt8](CIFARFixtures.cifar10Records(0..<3))
        bytes[2 * 3073] = 10
        let url = dir.appendingPathComponent("test_batch.bin")
        try Data(bytes).write(to: url)
        #expect(throws: DatasetError.corrupt(url.path, "record 2 has label 10, outside 0..<10")) {
            try CIFAR10.load(directory: dir.path, split: .test)
        }
    }

    @Test("an empty file is an error, not an empty split")
    func emptyFile() throws {
        let dir = TestSupport.temporaryDirectory("cifar100-empty")
        try Data().write(to: dir.appendingPathComponent("test.bin"))
        try CIFARFixtures.cifar100Records(0..<1).write(to: dir.appendingPathComponent("train.bin"))
        #expect(throws: DatasetError.self) { try CIFAR100.load(directory: dir.path, split: .test) }
        #expect(try CIFAR100.load(directory: dir.path, split: .train).count == 1)
    }

    @Test("a CIFAR-10 recipe standardises each colour channel by the training split")
    func recipe() throws {
        let dir = try CIFARFixtures.writeCIFAR10(perBatch: 4, test: 3)
        let recipe = DataRecipe(source: .cifar10(directory: dir.path), trainSize: 10, subset: .random,
                                scaling: .standardize, seed: 5)
        let data = try recipe.prepare()
        #expect(data.train.inputs.shape == [10, 3072])
        #expect(data.test.inputs.shape == [3, 3072])
        #expect(data.train.imageShape == CIFAR10.imageShape)
        let stats = try Preprocessing.channelStatistics(of: data.train.inputs, channels: 3)
        for c in 0..<3 {
            #expect(abs(stats.means[c]) < 1e-5)
            #expect(abs(stats.stds[c] - 1) < 1e-4)
        }
        #expect(data.fingerprint == (try recipe.prepare()).fingerprint)
        var other = recipe
        other.seed = 6
        #expect(data.fingerprint != (try other.prepare()).fingerprint)
    }
}
