import Statistics

/// A seeded pseudo-random stream (xoshiro256**), splittable by name.
///
/// Every stage derives its own stream from the run point's root seed and a path such as
/// `"train/shuffle"`, so adding draws in one stage never shifts another's:
/// ```
/// state = SplitMix64(rootSeed ⊕ FNV-1a-64(path))
/// ```
/// Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A stream for `path` under `seed`.
    public init(seed: UInt64, path: String = "") {
        var mix = SplitMix64(seed: seed ^ RandomStream.fnv1a(path))
        s = (mix.next(), mix.next(), mix.next(), mix.next())
    }

    /// A child stream: the same root seed, the path extended by `/name`.
    public func split(_ name: String) -> RandomStream {
        var copy = self
        return RandomStream(seed: copy.next(), path: name)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = RandomStream.rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = RandomStream.rotl(s.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal by the Box–Muller transform.
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 == 0 { u1 = uniform() }
        let u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// A uniformly random permutation of `0..<n` (Fisher–Yates, with this stream's draws).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = Int(next() % UInt64(i + 1))
            p.swapAt(i, j)
        }
        return p
    }

    /// A tensor of i.i.d. normal draws with the given standard deviation.
    public mutating func normalTensor<E: BLASScalar>(shape: [Int], std: Double = 1) -> Tensor<E> {
        var t = Tensor<E>(shape: shape)
        for i in 0..<t.count { t.scalars[i] = E(normal() * std) }
        return t
    }

    /// A tensor of i.i.d. uniform draws in [low, high).
    public mutating func uniformTensor<E: BLASScalar>(shape: [Int], low: Double, high: Double) -> Tensor<E> {
        var t = Tensor<E>(shape: shape)
        for i in 0..<t.count { t.scalars[i] = E(low + (high - low) * uniform()) }
        return t
    }
}

// Foundation-free libm access keeps this module importable from anywhere.
#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
