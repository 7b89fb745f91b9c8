import Foundation
import Tensors

/// CIFAR-10 (Krizhevsky 2009): 50,000 training and 10,000 test colour images of 32×32 pixels in
/// 10 classes, read from the official binary version (`cifar-10-binary.tar.gz`).
///
/// Each file is a run of 3073-byte records: 1 label byte (0…9), then 3072 pixel bytes — the red
/// plane, the green plane, the blue plane, each 32×32 row-major. Rows of the loaded set keep that
/// order, so they reshape to `[n, 3, 32, 32]`.
public enum CIFAR10 {
    /// Where Accordion looks when no directory is given. No Debian package installs CIFAR; unpack
    /// the archive here (the `cifar-10-batches-bin` folder inside it also works) or pass a path.
    public static let defaultDirectory = "/usr/share/datasets/cifar-10"
    /// The folder the official archive unpacks to; accepted inside the given directory.
    public static let archiveFolder = "cifar-10-batches-bin"
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFiles = ["test_batch.bin"]
    public static var files: [String] { trainFiles + testFiles }
    public static let recordSize = 1 + CIFARBinary.pixelBytes
    public static let imageShape = CIFARBinary.imageShape
    public static let classCount = 10
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]
    public static let installHint =
        "download the binary version (cifar-10-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it, and set data.path to the directory holding \(files.joined(separator: ", "))"

    /// The files of one split.
    public static func files(_ split: DataSplit) -> [String] { split == .train ? trainFiles : testFiles }

    /// Reads one split as pixels scaled to [0, 1], shape `[n, 3072]` (CHW), image shape 3×32×32.
    ///
    /// - Throws: `DatasetError.missingDataset` naming every missing file of the split;
    ///   `DatasetError.corrupt` naming the file when its size is not a whole number of records
    ///   or a label is outside 0…9.
    public static func load(directory: String = defaultDirectory, split: DataSplit) throws -> LabeledSet {
        let names = files(split)
        guard let dir = CIFARBinary.resolve(directory, files: names, subdirectory: archiveFolder) else {
            throw DatasetError.missingDataset(name: "CIFAR-10", directory: directory,
                                              missing: CIFARBinary.missing(directory, files: names, subdirectory: archiveFolder),
                                              hint: installHint)
        }
        let urls = names.map { URL(fileURLWithPath: dir).appendingPathComponent($0) }
        let (inputs, labels) = try CIFARBinary.read(urls, labelBytes: 1, labelIndex: 0, classes: classCount,
                                                    describe: "1 label byte + 3072 pixel bytes")
        return LabeledSet(inputs: inputs, labels: labels, classes: classCount, imageShape: imageShape)
    }

    /// The expected files (both splits) that `directory` and its archive folder lack.
    public static func missingFiles(in directory: String = defaultDirectory) -> [String] {
        CIFARBinary.missing(directory, files: files, subdirectory: archiveFolder)
    }

    /// The directory that actually holds the files: `directory` or its archive folder.
    public static func resolvedDirectory(_ directory: String = defaultDirectory) -> String? {
        CIFARBinary.resolve(directory, files: files, subdirectory: archiveFolder)
    }
}

/// CIFAR-100 (Krizhevsky 2009): 50,000 training and 10,000 test colour images of 32×32 pixels,
/// each with a fine label (100 classes) and a coarse label (20 superclasses), read from the
/// official binary version (`cifar-100-binary.tar.gz`).
///
/// `train.bin` and `test.bin` are runs of 3074-byte records: the coarse label byte, the fine
/// label byte, then 3072 pixel bytes (red, green, blue planes, each 32×32 row-major).
public enum CIFAR100 {
    /// Which of the two labels to keep.
    public enum LabelKind: String, Sendable, Hashable, Codable, CaseIterable {
        /// 100 classes (the second byte of each record).
        case fine
        /// 20 superclasses (the first byte of each record).
        case coarse

        public var classCount: Int { self == .fine ? 100 : 20 }
        /// The label's offset within a record.
        var byteIndex: Int { self == .fine ? 1 : 0 }
    }

    /// Where Accordion looks when no directory is given; see ``CIFAR10/defaultDirectory``.
    public static let defaultDirectory = "/usr/share/datasets/cifar-100"
    /// The folder the official archive unpacks to; accepted inside the given directory.
    public static let archiveFolder = "cifar-100-binary"
    public static let files = ["train.bin", "test.bin"]
    public static let recordSize = 2 + CIFARBinary.pixelBytes
    public static let imageShape = CIFARBinary.imageShape
    public static let installHint =
        "download the binary version (cifar-100-binary.tar.gz) from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it, and set data.path to the directory holding \(files.joined(separator: ", "))"

    /// The file of one split.
    public static func file(_ split: DataSplit) -> String { split == .train ? "train.bin" : "test.bin" }

    /// Reads one split as pixels scaled to [0, 1], shape `[n, 3072]` (CHW), image shape 3×32×32,
    /// with fine (100 classes) or coarse (20 classes) labels.
    ///
    /// - Throws: as ``CIFAR10/load(directory:split:)``, with 3074-byte records.
    public static func load(directory: String = defaultDirectory, split: DataSplit,
                            labels kind: LabelKind = .fine) throws -> LabeledSet {
        let names = [file(split)]
        guard let dir = CIFARBinary.resolve(directory, files: names, subdirectory: archiveFolder) else {
            throw DatasetError.missingDataset(name: "CIFAR-100", directory: directory,
                                              missing: CIFARBinary.missing(directory, files: names, subdirectory: archiveFolder),
                                              hint: installHint)
        }
        let urls = names.map { URL(fileURLWithPath: dir).appendingPathComponent($0) }
        let (inputs, labels) = try CIFARBinary.read(urls, labelBytes: 2, labelIndex: kind.byteIndex,
                                                    classes: kind.classCount,
                                                    describe: "coarse label byte + fine label byte + 3072 pixel bytes")
        return LabeledSet(inputs: inputs, labels: labels, classes: kind.classCount, imageShape: imageShape)
    }

    /// The expected files (both splits) that `directory` and its archive folder lack.
    public static func missingFiles(in directory: String = defaultDirectory) -> [String] {
        CIFARBinary.missing(directory, files: files, subdirectory: archiveFolder)
    }

    /// The directory that actually holds the files: `directory` or its archive folder.
    public static func resolvedDirectory(_ directory: String = defaultDirectory) -> String? {
        CIFARBinary.resolve(directory, files: files, subdirectory: archiveFolder)
    }
}
