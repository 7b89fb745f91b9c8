import AccordionTestSupport
import ExperimentSpec
import Foundation
import Statistics
import Tensors
import Testing

/// Seeded draws for the fuzzers and fixtures of this target, so a failing case is replayed from
/// its seed alone.
extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// A seeded mutation fuzzer over specs, overrides and tensor file headers.
///
/// Each case has its own seed, derived from the run's base seed (`ACCORDION_FUZZ_SEED`, fixed by
/// default so CI is reproducible) and the case number; a failure prints that seed, and
/// `ACCORDION_FUZZ_SEED=<seed> ACCORDION_FUZZ_CASES=1` replays exactly that case. The budget
/// (`ACCORDION_FUZZ_CASES`, default below) keeps the suite to a few seconds.
@Suite("Mutation fuzzing: no crash, a clear error or success, exit status 2 for user errors")
struct MutationFuzzTests {
    static let baseSeed: UInt64 = ProcessInfo.processInfo.environment["ACCORDION_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xACC0_2D10
    static let cases: Int = ProcessInfo.processInfo.environment["ACCORDION_FUZZ_CASES"].flatMap { Int($0) } ?? 150

    /// The seed of case `i` (case 0 uses the base seed itself, so a printed seed replays alone).
    static func seed(_ i: Int) -> UInt64 {
        var r = SplitMix64(seed: baseSeed ^ UInt64(i) &* 0x2545_F491_4F6C_DD1D)
        return i == 0 ? baseSeed : r.next()
    }

    static let specTexts: [String] = {
        let dir = TestSupport.repositoryRoot.appendingPathComponent("Experiments")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()) ?? []
        return files.compactMap { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }()

    static let tokens = ["*a", "&a ", "? [a, b]\n: 1", "{grid: []}", "{grid: [1, 2]}", "{zip: [1]}", "\"64\"", "!!str 5", "\u{0}",
                         "\r\n", "\t", ": :", "-1", "1e400", "1e-400", "null", "~", "99999999999999999999999", "[", "]", "{", "}",
                         "'", "\"", "#", "- ", "\n  ", "é", "\u{FEFF}", "0x10", ".inf", "-.nan", "$(touch x)", "../..", "/tmp",
                         "layers: [h1, null]", "init_from: /", "name: {grid: [a, b]}", "<<: *a"]

    /// A spec with a few random edits: deletions, duplicated or swapped lines, inserted tokens.
    static func mutate(_ text: String, _ r: inout SplitMix64) -> Data {
        var bytes = Array(text.utf8)
        for _ in 0...r.below(4) {
            switch r.below(6) {
            case 0 where !bytes.isEmpty:
                let at = r.below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + r.below(12)))
            case 1:
                bytes.insert(contentsOf: Array(r.pick(tokens).utf8), at: r.below(bytes.count + 1))
            case 2:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if !lines.isEmpty { let i = r.below(lines.count); lines.insert(lines[i], at: r.below(lines.count)) }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 3:
                var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
                if lines.count > 1 { lines.swapAt(r.below(lines.count), r.below(lines.count)) }
                bytes = Array(lines.joined(separator: [0x0A]))
            case 4 where !bytes.isEmpty:
                bytes[r.below(bytes.count)] = UInt8(truncatingIfNeeded: r.next())
            default:
                bytes.insert(contentsOf: Array(" \(r.below(100_000)) ".utf8), at: r.below(bytes.count + 1))
            }
        }
        return Data(bytes)
    }

    /// Loads a spec in-process: it must load, or fail with located, non-empty diagnostics.
    static func check(_ data: Data, overrides: [String], seed: UInt64) {
        do {
            let spec = try SpecLoader.load(data: data, file: "fuzz.yaml", defaultName: "fuzz", overrides: overrides)
            #expect(!spec.points.isEmpty, "seed \(seed): loaded with no run points")
        } catch let errors as SpecErrors {
            let text = errors.render()
            #expect(!errors.diagnostics.isEmpty && errors.diagnostics.allSatisfy { !$0.message.isEmpty }, "seed \(seed): \(text)")
            #expect(text.hasSuffix("in fuzz.yaml"), "seed \(seed): \(text)")
            #expect(!text.contains("Error Domain=") && !text.contains("DecodingError"), "seed \(seed): \(text)")
        } catch {
            Issue.record("seed \(seed): \(type(of: error)) instead of SpecErrors: \(error)")
        }
    }

    @Test("mutated Experiments/*.yaml load or give located errors")
    func specs() {
        print("fuzz specs: base seed \(Self.baseSeed), \(Self.cases) cases")
        for i in 0..<Self.cases {
            let seed = Self.seed(i)
            var r = SplitMix64(seed: seed)
            Self.check(Self.mutate(r.pick(Self.specTexts), &r), overrides: [], seed: seed)
        }
    }

    @Test("random overrides load or give errors that name the override")
    func overrides() {
        let keys = Array(SpecLoader.keyPaths()).sorted() + ["name", "x.y", "train..lr", "", "model.width.grid", "train.lr.zip"]
        let values = ["1", "'3'", "\"3\"", "!!str 3", "-1", "1e400", "a,b", "1,,2", "[1, 2]", "{grid: [1]}", "null", "~", "",
                      "[", "*a", "x$(touch y)", "9999999999999999999999", "0.5", "true", "64,128,256", "{zip: [1, 2]}"]
        print("fuzz overrides: base seed \(Self.baseSeed), \(Self.cases) cases")
        for i in 0..<Self.cases {
            let seed = Self.seed(i)
            var r = SplitMix64(seed: seed)
            let overrides = (0...r.below(3)).map { _ in r.pick(keys) + r.pick(["=", "=", "==", ""]) + r.pick(values) }
            Self.check(Data("name: fuzz\nmodel: {depth: 2, width: 8}\n".utf8), overrides: overrides, seed: seed)
        }
    }

    /// `.npy` or safetensors bytes of a small valid tensor with a mutated header.
    static func mutatedTensorFile(_ r: inout SplitMix64) -> (Data, npy: Bool) {
        let t = FloatTensor(shape: [6, 3], repeating: 1.5)
        if r.below(2) == 0 {
            var bytes = [UInt8](NPY.encode(t))
            let shapes = ["(-5, 3)", "(4294967296, 4294967296)", "(9223372036854775807, 2)", "(2**64,)", "()", "(6, 3, 0)",
                          "(1e3, 3)", "(6,3", "((6, 3))", "(18446744073709551616, 1)"]
            if r.below(2) == 0, let header = String(bytes: bytes[10..<128], encoding: .utf8),
               let range = header.range(of: "(6, 3)") {
                let edited = header.replacingCharacters(in: range, with: r.pick(shapes))
                bytes = Array(bytes[0..<10]) + Array(edited.utf8) + Array(bytes[128...])
            }
            for _ in 0..<r.below(4) { bytes[r.below(min(bytes.count, 140))] = UInt8(truncatingIfNeeded: r.next()) }
            return (Data(bytes), true)
        }
        var bytes = [UInt8](Safetensors.encode(["w": t]))
        switch r.below(3) {
        case 0:
            let lengths: [UInt64] = [UInt64.max, UInt64.max - 7, 1 << 63, UInt64(bytes.count), 0, 1 << 40]
            var n = r.pick(lengths).littleEndian
            withUnsafeBytes(of: &n) { for k in 0..<8 { bytes[k] = $0[k] } }
        case 1:
            let text = String(decoding: bytes[8...], as: UTF8.self)
            let swapped = text.replacingOccurrences(of: "[6,3]", with: r.pick(["[-5,3]", "[4294967296,4294967296]", "[1e30]", "[6.5,3]", "[]"]))
            bytes = Array(bytes[0..<8]) + Array(swapped.utf8)
        default:
            for _ in 0...r.below(4) { bytes[r.below(bytes.count)] = UInt8(truncatingIfNeeded: r.next()) }
        }
        return (Data(bytes), false)
    }

    @Test("mutated .npy and safetensors headers decode or throw an error naming the file")
    func tensorHeaders() {
        print("fuzz tensor headers: base seed \(Self.baseSeed), \(Self.cases * 2) cases")
        for i in 0..<(Self.cases * 2) {
            let seed = Self.seed(i)
            var r = SplitMix64(seed: seed)
            let (data, npy) = Self.mutatedTensorFile(&r)
            do {
                if npy { _ = try NPY.decode(data, name: "f.npy", as: Float.self) } else { _ = try Safetensors.decode(data, name: "f.safetensors") }
            } catch {
                #expect("\(error)".hasPrefix(npy ? "f.npy: " : "f.safetensors: "), "seed \(seed): \(error)")
            }
        }
    }

    @Test("the accordion binary exits 0 or 2 on mutated specs, overrides and tensor files, never crashing")
    func subprocess() throws {
        let dir = TestSupport.temporaryDirectory("fuzz-cli")
        let budget = max(1, Self.cases / 15)
        print("fuzz accordion: base seed \(Self.baseSeed), \(budget * 3) runs")
        for i in 0..<budget {
            let seed = Self.seed(i)
            var r = SplitMix64(seed: seed)
            let spec = dir.appendingPathComponent("s\(i).yaml")
            try Self.mutate(r.pick(Self.specTexts), &r).write(to: spec)
            let v = try TestSupport.runAccordion(["validate", spec.path])
            #expect(v.status == 0 || v.status == 2, "seed \(seed): validate exited \(v.status): \(v.output)")
            #expect(!v.output.contains("Error Domain=") && !v.output.contains("Fatal error"), "seed \(seed): \(v.output)")

            let o = try TestSupport.runAccordion(["plan", spec.path, r.pick(["train.epochs='3'", "model.width=0", "name=a,b", "x=1", "train.lr=1e-13"])])
            #expect(o.status == 0 || o.status == 2, "seed \(seed): plan exited \(o.status): \(o.output)")

            let (data, npy) = Self.mutatedTensorFile(&r)
            let file = dir.appendingPathComponent("t\(i)." + (npy ? "npy" : "safetensors"))
            try data.write(to: file)
            let e = try TestSupport.runAccordion(["estimate", file.path, "--estimator", r.pick(["pr", "twonn", "local_pca:k=9223372036854775807"])])
            #expect(e.status == 0 || e.status == 2, "seed \(seed): estimate exited \(e.status): \(e.output)")
            #expect(!e.output.contains("Error Domain=") && !e.output.contains("Fatal error"), "seed \(seed): \(e.output)")
        }
    }
}
