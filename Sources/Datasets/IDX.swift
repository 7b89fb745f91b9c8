import Foundation
import Tensors

/// The IDX format of LeCun's MNIST and of Fashion-MNIST: a big-endian header (magic
/// `0x0000 08 NN`, where `NN` is the number of axes), the axis sizes, then unsigned bytes.
public enum IDX {
    /// Reads an IDX file (gzip-compressed if its name ends in `.gz`) of unsigned bytes.
    ///
    /// - Parameter expectedRank: 3 for images, 1 for labels.
    /// - Returns: the axis sizes and the raw bytes.
    public static func read(_ url: URL, expectedRank: Int) throws -> (shape: [Int], bytes: [UInt8]) {
        let raw: Data
        do {
            raw = try Data(contentsOf: url)
        } catch {
            throw DatasetError.missingFile(url.path)
        }
        let data: Data
        if url.pathExtension == "gz" {
            do { data = try Gzip.decompress(raw) } catch let failure as Gzip.Failure {
                throw DatasetError.corrupt(url.path, failure.message)
            }
        } else {
            data = raw
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw DatasetError.corrupt(url.path, "file is shorter than an IDX header") }
        let magic = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        let expectedMagic = 0x0800 | expectedRank
        guard magic == expectedMagic else {
            throw DatasetError.corrupt(url.path, "magic number 0x\(String(magic, radix: 16, uppercase: true)) is not 0x\(String(expectedMagic, radix: 16, uppercase: true)) (unsigned bytes, \(expectedRank) axes)")
        }
        let headerBytes = 4 + 4 * expectedRank
        guard bytes.count >= headerBytes else { throw DatasetError.corrupt(url.path, "truncated IDX header") }
        var shape: [Int] = []
        for axis in 0..<expectedRank {
            let o = 4 + 4 * axis
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        let expected = shape.reduce(1, *)
        let found = bytes.count - headerBytes
        guard found == expected else {
            throw DatasetError.corrupt(url.path, "header promises \(expected) bytes of data for shape \(shape), file holds \(found)")
        }
        return (shape, Array(bytes[headerBytes...]))
    }
}
