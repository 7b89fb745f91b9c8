import Crypto
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

    /// How to get the files, for error messages.
    public static let installHint =
        "install the dataset with `sudo apt-get install dataset-fashion-mnist` (or `make deps`), or set data.path to a directory holding \(files.joined(separator: ", "))"

    /// Reads one split (`train` or `t10k`) as pixels scaled to [0, 1], shape `[n, 784]`.
    public static func load(directory: String = defaultDirectory, split: String) throws -> LabeledSet {
        let dir = URL(fileURLWithPath: directory)
        let imagesURL = dir.appendingPathComponent("\(split)-images-idx3-ubyte.gz")
        let labelsURL = dir.appendingPathComponent("\(split)-labels-idx1-ubyte.gz")
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
        var pixels = [Float](repeating: 0, count: n * 784)
        for i in 0..<pixels.count { pixels[i] = Float(images.bytes[i]) / 255 }
        return LabeledSet(inputs: FloatTensor(shape: [n, 784], scalars: pixels),
                          labels: labels.bytes.map(Int.init), classes: 10)
    }
}

/// SHA-256 fingerprints of prepared arrays.
public enum Fingerprint {
    /// Hex SHA-256 over the inputs' bytes, the labels, and a settings string.
    public static func of(_ sets: [LabeledSet], settings: String) -> String {
        var hasher = SHA256()
        for set in sets {
            hasher.update(data: Data(set.inputs.shape.map(String.init).joined(separator: ",").utf8))
            set.inputs.scalars.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            set.labels.map { Int32($0) }.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        hasher.update(data: Data(settings.utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
