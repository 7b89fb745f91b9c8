import Testing
import Tensors

@Suite("Seeded, splittable random streams")
struct RandomStreamTests {
    @Test("the same seed and path give the same stream")
    func deterministic() {
        var a = RandomStream(seed: 42, path: "train/shuffle")
        var b = RandomStream(seed: 42, path: "train/shuffle")
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test("the draws are pinned: xoshiro256** seeded by SplitMix64 from seed ⊕ FNV-1a(path)")
    func pinned() {
        // Initial weights, shuffles and so every stored result depend on these values.
        var a = RandomStream(seed: 42, path: "train/shuffle")
        #expect((0..<4).map { _ in a.next() } == [0xDA10_6FE3_7439_AED0, 0xBE8F_F576_0FE4_8E56, 0x6FD8_1212_2D79_0A20, 0xC8AC_E0CB_EE07_1055])
        var b = RandomStream(seed: 0)
        #expect((0..<2).map { _ in b.next() } == [0x2138_2EF0_92ED_7068, 0x5B54_C052_757A_DF62])
    }

    @Test("different paths or seeds give different streams")
    func independent() {
        var a = RandomStream(seed: 42, path: "train/shuffle")
        var b = RandomStream(seed: 42, path: "model/init")
        var c = RandomStream(seed: 43, path: "train/shuffle")
        let xa = (0..<16).map { _ in a.next() }
        #expect(xa != (0..<16).map { _ in b.next() })
        #expect(xa != (0..<16).map { _ in c.next() })
    }

    @Test("a permutation holds every index once and depends on the seed")
    func permutation() {
        var a = RandomStream(seed: 1, path: "p")
        var b = RandomStream(seed: 2, path: "p")
        let pa = a.permutation(1000)
        #expect(pa.sorted() == Array(0..<1000))
        #expect(pa != b.permutation(1000))
    }

    @Test("uniform draws lie in [0, 1) and normal draws have mean ≈ 0, variance ≈ 1")
    func moments() {
        var r = RandomStream(seed: 5)
        let u = (0..<100_000).map { _ in r.uniform() }
        #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
        let z = (0..<100_000).map { _ in r.normal() }
        let mean = z.reduce(0, +) / Double(z.count)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(z.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - 1) < 0.02)
    }
}
