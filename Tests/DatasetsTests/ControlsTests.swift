import Foundation
import Tensors
import Testing
@testable import Datasets

@Suite("Label shuffling")
struct LabelShuffleTests {
    static let labels = (0..<1000).map { ($0 * 7) % 10 }

    @Test("shuffled labels keep the multiset and change the order, fixed by the seed")
    func full() throws {
        var rng = RandomStream(seed: 5)
        let shuffled = try LabelShuffle.shuffled(Self.labels, rng: &rng)
        #expect(shuffled.sorted() == Self.labels.sorted())
        let moved = zip(shuffled, Self.labels).filter { $0 != $1 }.count
        #expect(moved > 800, "\(moved) of 1000 labels changed")
        var again = RandomStream(seed: 5)
        #expect(try LabelShuffle.shuffled(Self.labels, rng: &again) == shuffled)
        var other = RandomStream(seed: 6)
        #expect(try LabelShuffle.shuffled(Self.labels, rng: &other) != shuffled)
    }

    @Test("a fraction shuffles only that share of the labels", arguments: [0.0, 0.2, 0.5])
    func fraction(_ f: Double) throws {
        var rng = RandomStream(seed: 1)
        let shuffled = try LabelShuffle.shuffled(Self.labels, fraction: f, rng: &rng)
        #expect(shuffled.sorted() == Self.labels.sorted())
        let moved = zip(shuffled, Self.labels).filter { $0 != $1 }.count
        #expect(moved <= Int(f * 1000))
        #expect(f == 0 ? moved == 0 : moved > Int(f * 1000 * 0.7))
    }

    @Test("a fraction outside [0, 1] is an error")
    func badFraction() {
        var rng = RandomStream(seed: 1)
        #expect(throws: DatasetError.invalid("the fraction of shuffled labels is 1.5; it must be in [0, 1]")) {
            try LabelShuffle.shuffled(Self.labels, fraction: 1.5, rng: &rng)
        }
    }

    @Test("the target decides which splits change; the inputs never do",
          arguments: LabelShuffle.Target.allCases)
    func target(_ target: LabelShuffle.Target) throws {
        let train = syntheticSet(n: 200, classes: 10)
        let test = syntheticSet(n: 100, classes: 10)
        let (a, b) = try LabelShuffle.apply(target, train: train, test: test, seed: 3)
        #expect((a.labels != train.labels) == target.includes(.train))
        #expect((b.labels != test.labels) == target.includes(.test))
        #expect(a.labels.sorted() == train.labels.sorted())
        #expect(a.inputs == train.inputs && b.inputs == test.inputs)
    }
}

@Suite("Probe-set selection")
struct ProbeSetTests {
    static func data(seed: UInt64 = 0) -> PreparedData {
        let train = syntheticSet(n: 300, classes: 3)
        let test = syntheticSet(n: 120, classes: 4)
        return PreparedData(train: train, test: test, fingerprint: Fingerprint.of([train, test], settings: "s\(seed)"),
                            source: "test")
    }

    @Test("a selection picks the same sorted, distinct indices every time, whatever else a run point changes")
    func shared() throws {
        let selection = ProbeSet.Selection(split: .test, size: 40, seed: 9)
        let a = try ProbeSet.select(selection, from: Self.data())
        var changed = Self.data()
        changed.train.labels = changed.train.labels.reversed()  // e.g. a shuffled-label run point
        let b = try ProbeSet.select(selection, from: changed)
        #expect(a.indices == b.indices)
        #expect(a.indices.count == 40 && Set(a.indices).count == 40 && a.indices == a.indices.sorted())
        #expect(a.set.inputs == Self.data().test.inputs.gatherRows(a.indices))
        #expect(a.fingerprint == (try ProbeSet.select(selection, from: Self.data())).fingerprint)
        // The rule is one seeded permutation of the split, its first `size` entries, sorted.
        var rng = RandomStream(seed: 9, path: "probe/select")
        #expect(a.indices == rng.permutation(120).prefix(40).sorted())
    }

    @Test("the seed, the split and the data all change the probe set's fingerprint")
    func fingerprint() throws {
        let base = try ProbeSet.select(ProbeSet.Selection(size: 40, seed: 9), from: Self.data())
        let reseeded = try ProbeSet.select(ProbeSet.Selection(size: 40, seed: 10), from: Self.data())
        let trainSplit = try ProbeSet.select(ProbeSet.Selection(split: .train, size: 40, seed: 9), from: Self.data())
        let otherData = try ProbeSet.select(ProbeSet.Selection(size: 40, seed: 9), from: Self.data(seed: 1))
        #expect(base.indices != reseeded.indices)
        #expect(Set([base.fingerprint, reseeded.fingerprint, trainSplit.fingerprint, otherData.fingerprint]).count == 4)
    }

    @Test("a stratified probe set has equal class counts")
    func stratified() throws {
        let probe = try ProbeSet.select(ProbeSet.Selection(split: .test, size: 40, stratified: true, seed: 2), from: Self.data())
        #expect(probe.set.classCounts == [10, 10, 10, 10])
    }

    @Test("a probe set larger than its split is an error naming both sizes")
    func tooLarge() {
        #expect(throws: DatasetError.invalid("the probe set asks for 500 examples but the train split has 300")) {
            try ProbeSet.select(ProbeSet.Selection(split: .train, size: 500), from: Self.data())
        }
    }
}
