import Foundation
import Tensors
import Testing
@testable import Datasets

/// A labelled set of `n` rows with labels `i mod classes` and `features` values per row.
func syntheticSet(n: Int, classes: Int, features: Int = 4, imageShape: ImageShape? = nil) -> LabeledSet {
    let values = (0..<(n * features)).map { Float($0 % 97) / 97 }
    return LabeledSet(inputs: FloatTensor(shape: [n, features], scalars: values),
                      labels: (0..<n).map { $0 % classes }, classes: classes, imageShape: imageShape)
}

@Suite("Subsets")
struct SubsetTests {
    static let labels = (0..<100).map { $0 < 60 ? $0 % 3 : ($0 % 2) }  // unequal class sizes

    @Test("first n is 0..<n and draws nothing")
    func first() throws {
        var rng = RandomStream(seed: 1, path: "t")
        let untouched = rng
        #expect(try Subset.select(n: 7, labels: Self.labels, classes: 3, method: .first, rng: &rng) == Array(0..<7))
        #expect(rng.next() == { var r = untouched; return r.next() }())
    }

    @Test("random n is n distinct sorted indices, fixed by the seed")
    func random() throws {
        func draw(_ seed: UInt64) throws -> [Int] {
            var rng = RandomStream(seed: seed, path: "t")
            return try Subset.select(n: 30, labels: Self.labels, classes: 3, method: .random, rng: &rng)
        }
        let a = try draw(1)
        #expect(a.count == 30 && Set(a).count == 30 && a == a.sorted() && a.allSatisfy { (0..<100).contains($0) })
        #expect(a == (try draw(1)))
        #expect(a != (try draw(2)))
        #expect(a != Array(0..<30))
    }

    @Test("stratified n gives each class ⌊n/K⌋, the lowest classes one more")
    func stratified() throws {
        var rng = RandomStream(seed: 3, path: "t")
        let picked = try Subset.select(n: 31, labels: Self.labels, classes: 3, method: .stratified, rng: &rng)
        var counts = [0, 0, 0]
        for i in picked { counts[Self.labels[i]] += 1 }
        #expect(counts == [11, 10, 10])
        #expect(picked == picked.sorted() && Set(picked).count == 31)
    }

    @Test("impossible subsets say what is wrong",
          arguments: [
            (101, Subset.Method.first, "cannot select 101 examples from a split of 100"),
            (-1, .random, "cannot select -1 examples: the count must be ≥ 0"),
            (96, .stratified,
             "a stratified subset of 96 needs 32 examples of class 2, but the split has 20; choose a smaller size or subset: random"),
          ] as [(Int, Subset.Method, String)])
    func impossible(_ n: Int, method: Subset.Method, message: String) {
        var rng = RandomStream(seed: 0)
        #expect(throws: DatasetError.invalid(message)) {
            try Subset.select(n: n, labels: Self.labels, classes: 3, method: method, rng: &rng)
        }
    }

    @Test("apply keeps the image shape and returns the set unchanged for nil")
    func apply() throws {
        let set = syntheticSet(n: 20, classes: 2, features: 4, imageShape: ImageShape(channels: 1, height: 2, width: 2))
        var rng = RandomStream(seed: 0)
        let sub = try Subset.apply(5, to: set, method: .first, rng: &rng)
        #expect(sub.inputs.shape == [5, 4])
        #expect(sub.imageShape == set.imageShape)
        #expect(sub.inputs.scalars == Array(set.inputs.scalars[0..<20]))
        #expect(try Subset.apply(nil, to: set, method: .random, rng: &rng).inputs == set.inputs)
    }
}

@Suite("Preprocessing")
struct PreprocessingTests {
    /// Three channels of 2×2 pixels with different means and spreads.
    static func colourSet(n: Int, seed: UInt64) -> LabeledSet {
        var rng = RandomStream(seed: seed)
        var values: [Float] = []
        for _ in 0..<n {
            for c in 0..<3 { for _ in 0..<4 { values.append(Float(Double(c) * 10 + Double(c + 1) * rng.normal())) } }
        }
        return LabeledSet(inputs: FloatTensor(shape: [n, 12], scalars: values), labels: Array(repeating: 0, count: n),
                          classes: 1, imageShape: ImageShape(channels: 3, height: 2, width: 2))
    }

    @Test("unit scaling maps bytes 0…255 onto [0, 1]")
    func unit() {
        #expect(Preprocessing.unitScaled([0, 51, 255]) == [0, 0.2, 1])
    }

    @Test("each channel of the training split ends with mean 0 and std 1; the test split uses the training statistics")
    func standardize() throws {
        let train = Self.colourSet(n: 500, seed: 1)
        let test = Self.colourSet(n: 50, seed: 2)
        let (a, b, stats) = try Preprocessing.standardize(train: train, test: test)
        #expect(stats.channels == 3)
        #expect(abs(stats.means[2] - 20) < 0.5 && abs(stats.stds[2] - 3) < 0.3)
        let after = try Preprocessing.channelStatistics(of: a.inputs, channels: 3)
        for c in 0..<3 {
            #expect(abs(after.means[c]) < 1e-5)
            #expect(abs(after.stds[c] - 1) < 1e-5)
        }
        // Test pixel 9 is in channel 2 (planes of 4): standardised with channel 2's training statistics.
        let expected = (test.inputs[7, 9] - Float(stats.means[2])) / Float(stats.stds[2])
        #expect(b.inputs[7, 9] == expected)
        // The test split's own statistics are not used, so its mean is not exactly 0.
        let testAfter = try Preprocessing.channelStatistics(of: b.inputs, channels: 3)
        #expect(abs(testAfter.means[0]) > 1e-6)
    }

    @Test("non-image rows are one channel: a single shift and scale")
    func oneChannel() throws {
        let set = syntheticSet(n: 30, classes: 2, features: 5)
        let (a, _, stats) = try Preprocessing.standardize(train: set, test: set)
        #expect(stats.channels == 1)
        let values = a.inputs.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean) < 1e-6)
    }

    @Test("a constant channel is centred without dividing by zero")
    func constantChannel() throws {
        var set = Self.colourSet(n: 10, seed: 3)
        for i in 0..<10 { for p in 4..<8 { set.inputs[i, p] = 0.25 } }
        let (a, _, stats) = try Preprocessing.standardize(train: set, test: set)
        #expect(stats.stds[1] == 0)
        #expect(a.inputs.isFinite)
        #expect((0..<10).allSatisfy { i in (4..<8).allSatisfy { a.inputs[i, $0] == 0 } })
    }

    @Test("channels that do not divide the row, or mismatched splits, are errors")
    func errors() {
        let set = syntheticSet(n: 4, classes: 2, features: 5)
        #expect(throws: DatasetError.invalid("cannot split 5 values per row into 3 equal channels")) {
            try Preprocessing.standardize(train: set, test: set, channels: 3)
        }
        #expect(throws: DatasetError.mismatch("train rows have 5 values but test rows have 4")) {
            try Preprocessing.standardize(train: set, test: syntheticSet(n: 4, classes: 2, features: 4))
        }
    }
}
