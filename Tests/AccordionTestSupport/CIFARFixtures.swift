import Foundation

/// Writers of small files in the exact CIFAR binary formats.
public enum CIFARFixtures {
    /// Pixel byte `p` (0..<3072, channel-major) of the record with global index `record`.
    public static func pixel(record: Int, _ p: Int) -> UInt8 {
        let channel = p / 1024
        return UInt8((channel * 80 + (p % 1024) % 61 + record * 3) % 256)
    }

    /// The CIFAR-10 label of global record `r`.
    public static func label10(_ r: Int) -> UInt8 { UInt8((r * 7 + 3) % 10) }
    /// The CIFAR-100 coarse and fine labels of global record `r`.
    public static func coarse(_ r: Int) -> UInt8 { UInt8(r % 20) }
    public static func fine(_ r: Int) -> UInt8 { UInt8((r * 37 + 11) % 100) }

    /// Records `range` in CIFAR-10 layout: 1 label byte + 3072 pixel bytes.
    public static func cifar10Records(_ range: Range<Int>) -> Data {
        var bytes: [UInt8] = []
        for r in range {
            bytes.append(label10(r))
            bytes += (0..<3072).map { pixel(record: r, $0) }
        }
        return Data(bytes)
    }

    /// Records `range` in CIFAR-100 layout: coarse byte, fine byte, 3072 pixel bytes.
    public static func cifar100Records(_ range: Range<Int>) -> Data {
        var bytes: [UInt8] = []
        for r in range {
            bytes += [coarse(r), fine(r)]
            bytes += (0..<3072).map { pixel(record: r, $0) }
        }
        return Data(bytes)
    }

    /// A CIFAR-10 directory: `perBatch` records in each of the five training batches (global
    /// indices 0, 1, … in file order) and `test` records in `test_batch.bin` (indices from 1000),
    /// leaving out the files named in `omit`.
    public static func writeCIFAR10(perBatch: Int = 3, test: Int = 4, omit: Set<String> = [],
                             into directory: URL? = nil) throws -> URL {
        let dir = directory ?? TestSupport.temporaryDirectory("cifar10")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for b in 0..<5 where !omit.contains("data_batch_\(b + 1).bin") {
            try cifar10Records((b * perBatch)..<((b + 1) * perBatch)).write(to: dir.appendingPathComponent("data_batch_\(b + 1).bin"))
        }
        if !omit.contains("test_batch.bin") {
            try cifar10Records(1000..<(1000 + test)).write(to: dir.appendingPathComponent("test_batch.bin"))
        }
        return dir
    }

    /// A CIFAR-100 directory with `train` records (indices from 0) and `test` records (from 1000).
    public static func writeCIFAR100(train: Int = 6, test: Int = 2) throws -> URL {
        let dir = TestSupport.temporaryDirectory("cifar100")
        try cifar100Records(0..<train).write(to: dir.appendingPathComponent("train.bin"))
        try cifar100Records(1000..<(1000 + test)).write(to: dir.appendingPathComponent("test.bin"))
        return dir
    }
}
