import Foundation
import Tensors

/// The binary format shared by CIFAR-10 and CIFAR-100 (Krizhevsky 2009): files of fixed-size
/// records, each some label bytes followed by 3072 pixel bytes — the 1024 red values of the
/// 32×32 image in row-major order, then the 1024 green, then the 1024 blue.
enum CIFARBinary {
    static let imageShape = ImageShape(channels: 3, height: 32, width: 32)
    static let pixelBytes = 3072

    /// The directory that holds every one of `files`: `directory` itself, or its `subdirectory`
    /// (the folder the official archive unpacks to); nil when neither holds them all.
    static func resolve(_ directory: String, files: [String], subdirectory: String) -> String? {
        let candidates = [directory, URL(fileURLWithPath: directory).appendingPathComponent(subdirectory).path]
        return candidates.first { dir in
            files.allSatisfy { FileManager.default.isReadableFile(atPath: URL(fileURLWithPath: dir).appendingPathComponent($0).path) }
        }
    }

    /// The files among `files` that neither `directory` nor its `subdirectory` holds, reported
    /// against whichever of the two holds more of them.
    static func missing(_ directory: String, files: [String], subdirectory: String) -> [String] {
        let candidates = [directory, URL(fileURLWithPath: directory).appendingPathComponent(subdirectory).path]
        let missingLists = candidates.map { dir in
            files.filter { !FileManager.default.isReadableFile(atPath: URL(fileURLWithPath: dir).appendingPathComponent($0).path) }
        }
        return missingLists.min { $0.count < $1.count } ?? files
    }

    /// Reads every record of `urls`, in file order.
    ///
    /// - Parameters:
    ///   - labelBytes: bytes before the pixels (1 for CIFAR-10; 2 for CIFAR-100, coarse then fine).
    ///   - labelIndex: which of those bytes is the label to keep.
    ///   - classes: labels must lie in `0..<classes`.
    /// - Returns: pixels scaled to [0, 1] as `[n, 3072]` (CHW), and the labels.
    static func read(_ urls: [URL], labelBytes: Int, labelIndex: Int, classes: Int,
                     describe: String) throws -> (inputs: FloatTensor, labels: [Int]) {
        let recordSize = labelBytes + pixelBytes
        var blobs: [Data] = []
        for url in urls {
            let data: Data
            do { data = try Data(contentsOf: url) } catch { throw DatasetError.missingFile(url.path) }
            guard !data.isEmpty else {
                throw DatasetError.corrupt(url.path, "the file is empty; expected \(recordSize)-byte records (\(describe))")
            }
            guard data.count % recordSize == 0 else {
                throw DatasetError.corrupt(url.path, "\(data.count) bytes is not a whole number of \(recordSize)-byte records (\(describe)): \(data.count / recordSize) whole records, then \(data.count % recordSize) bytes of a truncated one")
            }
            blobs.append(data)
        }
        let n = blobs.reduce(0) { $0 + $1.count / recordSize }
        var pixels = [Float](repeating: 0, count: n * pixelBytes)
        var labels = [Int](repeating: 0, count: n)
        var row = 0
        for (url, data) in zip(urls, blobs) {
            let records = data.count / recordSize
            let bad: (record: Int, label: Int)? = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let bytes = raw.bindMemory(to: UInt8.self)
                return pixels.withUnsafeMutableBufferPointer { out in
                    for r in 0..<records {
                        let base = r * recordSize
                        let label = Int(bytes[base + labelIndex])
                        if label >= classes { return (r, label) }
                        labels[row + r] = label
                        let dst = (row + r) * pixelBytes
                        for p in 0..<pixelBytes { out[dst + p] = Float(bytes[base + labelBytes + p]) / 255 }
                    }
                    return nil
                }
            }
            if let bad {
                throw DatasetError.corrupt(url.path, "record \(bad.record) has label \(bad.label), outside 0..<\(classes)")
            }
            row += records
        }
        return (FloatTensor(shape: [n, pixelBytes], scalars: pixels), labels)
    }
}
