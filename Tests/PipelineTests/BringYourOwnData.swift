import Datasets
import Foundation
import Statistics
import Tensors

/// The arrays behind `Experiments/bring-your-own.yaml`: a small, learnable image task written as
/// NumPy would write it, so the example exercises the same path as a researcher's own data.
///
/// Three classes of 8×8 grey images, channels last (`N×8×8×1`, uint8): a horizontal bar two
/// pixels thick (class 0), a vertical bar (class 1), or a 3×3 block (class 2), each at a random
/// place over a noisy background. 600 training and 150 test images in a seeded random order;
/// labels int64, shape (N,).
enum BringYourOwnData {
    static let side = 8
    static let trainCount = 600
    static let testCount = 150


    /// `count` images and their labels.
    static func images(count: Int, rng: inout SplitMix64) -> (pixels: [UInt8], labels: [Int]) {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for _ in 0..<count {
            let label = rng.below(3)
            var image = (0..<(side * side)).map { _ in UInt8(16 * rng.below(4)) }
            let a = rng.below(side - 2), b = rng.below(side - 2)
            for y in 0..<side {
                for x in 0..<side {
                    let on: Bool
                    switch label {
                    case 0: on = y == a || y == a + 1
                    case 1: on = x == a || x == a + 1
                    default: on = (a...(a + 2)).contains(y) && (b...(b + 2)).contains(x)
                    }
                    if on { image[y * side + x] = UInt8(192 + 16 * rng.below(4)) }
                }
            }
            pixels += image
            labels.append(label)
        }
        return (pixels, labels)
    }

    /// The four arrays as `.npy` bytes, by their member names.
    static func arrays() -> [(name: String, npy: Data)] {
        var rng = SplitMix64(seed: 2026)
        let train = images(count: trainCount, rng: &rng)
        let test = images(count: testCount, rng: &rng)
        func labels(_ values: [Int]) -> Data {
            var raw = Data()
            for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { raw.append(contentsOf: $0) } }
            return NPY.encode(raw: raw, descr: "<i8", shape: [values.count])
        }
        return [
            ("x_train", NPY.encode(raw: Data(train.pixels), descr: "|u1", shape: [trainCount, side, side, 1])),
            ("y_train", labels(train.labels)),
            ("x_test", NPY.encode(raw: Data(test.pixels), descr: "|u1", shape: [testCount, side, side, 1])),
            ("y_test", labels(test.labels)),
        ]
    }

    /// The archive as `np.savez_compressed` would write it.
    static func archive() throws -> Data {
        try NPZ.encode(arrays(), compressed: true)
    }
}
