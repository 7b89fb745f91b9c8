import Foundation
import Tensors

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test images of
/// 28×28 grey pixels in 10 classes, read from the four IDX `.gz` files.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let files = [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ]
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]
    /// One grey channel of 28×28 pixels.
    public static let imageShape = ImageShape(channels: 1, height: 28, width: 28)
    public static let classCount = 10

    /// How to get the files, for error messages.
    public static let installHint =
        "install the dataset with `sudo apt-get install dataset-fashion-mnist` (or `make deps`), or set data.path to a directory holding \(files.joined(separator: ", "))"

    /// The file prefix of a split: `train` or `t10k`.
    public static func filePrefix(_ split: DataSplit) -> String {
        split == .train ? "train" : "t10k"
    }

    /// Reads one split (`train` or `t10k`) as pixels scaled to [0, 1], shape `[n, 784]`,
    /// image shape 1×28×28.
    ///
    /// Each file may also be stored uncompressed (the same name without `.gz`).
    public static func load(directory: String = defaultDirectory, split: String) throws -> LabeledSet {
        guard split == "train" || split == "t10k" else {
            throw DatasetError.invalid("unknown Fashion-MNIST split '\(split)': expected 'train' or 't10k'")
        }
        let dir = URL(fileURLWithPath: directory)
        let imagesURL = locate(dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz"))
        let labelsURL = locate(dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz"))
        for url in [imagesURL, labelsURL] where !FileManager.default.isReadableFile(atPath: url.path) {
            throw DatasetError.missingFile("\(url.path) (Fashion-MNIST): \(installHint)")
        }
        let images = try IDX.read(imagesURL, expectedRank: 3)
        let labels = try IDX.read(labelsURL, expectedRank: 1)
        guard images.shape[1] == 28, images.shape[2] == 28 else {
            throw DatasetError.corrupt(imagesURL.path, "images are \(images.shape[1])×\(images.shape[2]), expected 28×28")
        }
        guard images.shape[0] == labels.shape[0] else {
            throw DatasetError.mismatch("\(imagesURL.path) holds \(images.shape[0]) images but \(labelsURL.path) holds \(labels.shape[0]) labels")
        }
        if let bad = labels.bytes.first(where: { $0 > 9 }) {
            throw DatasetError.corrupt(labelsURL.path, "label \(bad) is outside 0...9")
        }
        let n = images.shape[0]
        return LabeledSet(inputs: FloatTensor(shape: [n, 784], scalars: Preprocessing.unitScaled(images.bytes)),
                          labels: labels.bytes.map(Int.init), classes: classCount, imageShape: imageShape)
    }

    /// Reads one split by name: `.train` (60,000 images) or `.test` (the `t10k` files, 10,000).
    public static func load(directory: String = defaultDirectory, split: DataSplit) throws -> LabeledSet {
        try load(directory: directory, split: filePrefix(split))
    }

    /// The expected files not readable in `directory` (a `.gz` file counts as present when its
    /// uncompressed twin is); empty when the dataset is complete.
    public static func missingFiles(in directory: String = defaultDirectory) -> [String] {
        let dir = URL(fileURLWithPath: directory)
        return files.filter { !FileManager.default.isReadableFile(atPath: locate(dir.appendingPathComponent($0)).path) }
    }

    /// `url` if readable, else its uncompressed twin if that is readable, else `url`.
    static func locate(_ url: URL) -> URL {
        if FileManager.default.isReadableFile(atPath: url.path) { return url }
        let plain = url.deletingPathExtension()
        return FileManager.default.isReadableFile(atPath: plain.path) ? plain : url
    }
}
