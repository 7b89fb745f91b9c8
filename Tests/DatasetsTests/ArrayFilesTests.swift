import AccordionTestSupport
import Foundation
import Tensors
import Testing
@testable import Datasets

/// `.npy` bytes of little-endian int64 values.
func int64NPY(_ values: [Int], shape: [Int]? = nil) -> Data {
    var raw = Data()
    for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { raw.append(contentsOf: $0) } }
    return NPY.encode(raw: raw, descr: "<i8", shape: shape ?? [values.count])
}

/// `.npy` bytes of uint8 values.
func uint8NPY(_ values: [UInt8], shape: [Int]) -> Data {
    NPY.encode(raw: Data(values), descr: "|u1", shape: shape)
}

/// `.npy` bytes of little-endian float32 values.
func float32NPY(_ values: [Float], shape: [Int]) -> Data {
    NPY.encode(FloatTensor(shape: shape, scalars: values))
}

@Suite("NPZ archives")
struct NPZTests {
    static let members: [(name: String, npy: Data)] = [
        ("x", float32NPY([1, 2, 3, 4, 5, 6], shape: [2, 3])),
        ("y", int64NPY([0, 1])),
    ]

    @Test("stored and deflated archives give back every member byte for byte", arguments: [false, true])
    func roundTrip(_ compressed: Bool) throws {
        let archive = try NPZ.encode(Self.members, compressed: compressed)
        #expect(try NPZ.members(of: archive, name: "a.npz").map(\.name) == ["x", "y"])
        for m in Self.members { #expect(try NPZ.member(m.name, of: archive, name: "a.npz") == m.npy) }
        let x = try NPY.decode(try NPZ.member("x", of: archive, name: "a.npz"), name: "x", as: Float.self)
        #expect(x.shape == [2, 3] && x.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test("a member that is not there is named with those that are")
    func missingMember() throws {
        let archive = try NPZ.encode(Self.members, compressed: true)
        #expect(throws: DatasetError.invalid("a.npz has no member 'x_train'; it holds 'x', 'y'")) {
            try NPZ.member("x_train", of: archive, name: "a.npz")
        }
    }

    /// Each case: a readable id, a damaged archive, and words the error must hold (empty: any).
    static func damaged() throws -> [(id: String, bytes: Data, says: String)] {
        let stored = try NPZ.encode(Self.members, compressed: false)
        let deflated = try NPZ.encode(Self.members, compressed: true)
        var flipped = stored
        flipped[30 + 5 + 20] ^= 0xFF  // a header byte of member x's .npy
        var huge = deflated
        // The central directory entry of x claims almost 4 GiB of inflated bytes.
        let cd = Int(huge[huge.count - 6]) | Int(huge[huge.count - 5]) << 8
        for k in 0..<4 { huge[cd + 24 + k] = 0xFE }
        var damagedStream = deflated
        let xSize = Int(damagedStream[18]) | Int(damagedStream[19]) << 8
        for k in 0..<4 { damagedStream[30 + 5 + xSize / 2 + k] ^= 0x55 }
        return [
            ("not a zip", Data("hello, this is not a zip archive at all".utf8), "a.npz is corrupt: not a zip (.npz) archive"),
            ("too short", Data([0x50, 0x4B]), "a.npz is corrupt: too short for a zip archive (2 bytes)"),
            ("cut short", stored.prefix(stored.count / 2) + stored.suffix(22), "a.npz is corrupt: the central directory"),
            ("a flipped data byte", flipped, "a.npz[x] is corrupt: CRC-32 mismatch"),
            ("an impossible inflated size", huge, "a.npz[x] is corrupt: "),
            ("a damaged deflate stream", damagedStream, "a.npz[x] is corrupt: "),
        ]
    }

    /// An archive whose central directory says member `x` inflates to `claimed` bytes.
    static func claiming(_ claimed: UInt32, npy: Data) throws -> Data {
        var archive = try NPZ.encode([("x", npy)], compressed: true)
        let cd = Int(archive[archive.count - 6]) | Int(archive[archive.count - 5]) << 8
        for k in 0..<4 { archive[cd + 24 + k] = UInt8((claimed >> (8 * UInt32(k))) & 0xFF) }
        return archive
    }

    @Test("a member that inflates to more or less than it claims is refused")
    func sizeClaims() throws {
        let zeros = float32NPY(Array(repeating: 0, count: 25_000), shape: [25_000])
        #expect(throws: DatasetError.corrupt("a.npz[x]", "the member inflates to more than the 1000 bytes it claims")) {
            try NPZ.member("x", of: try Self.claiming(1000, npy: zeros), name: "a.npz")
        }
        // Within deflate's ratio, a claim larger than the stream holds is found out without allocating the claim.
        let claimed = UInt32(zeros.count * 2)
        #expect(throws: DatasetError.corrupt("a.npz[x]", "the deflate stream is truncated: \(zeros.count) of \(claimed) bytes")) {
            try NPZ.member("x", of: try Self.claiming(claimed, npy: zeros), name: "a.npz")
        }
    }

    @Test("randomly damaged archives and .npy files read or fail with an error naming the file, never crash", arguments: [false, true])
    func randomDamage(_ compressed: Bool) throws {
        let archive = try NPZ.encode(Self.members, compressed: compressed)
        let npy = Self.members[0].npy
        let base: UInt64 = compressed ? 0xA11CE : 0xB0B
        for i in 0..<300 {
            var state = base &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15
            func next(_ n: Int) -> Int {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return Int(state % UInt64(max(n, 1)))
            }
            for original in [archive, npy] {
                var bytes = [UInt8](original)
                switch next(3) {
                case 0: for _ in 0...next(4) { bytes[next(bytes.count)] = UInt8(next(256)) }
                case 1: bytes.removeLast(1 + next(bytes.count - 1))
                default: bytes.insert(contentsOf: (0...next(8)).map { _ in UInt8(next(256)) }, at: next(bytes.count))
                }
                let data = Data(bytes)
                do {
                    if original == archive {
                        _ = try NPZ.member("x", of: data, name: "a.npz")
                    } else {
                        _ = try NPY.decode(data, name: "x.npy", as: Float.self)
                    }
                } catch {
                    let text = "\(error)"
                    #expect(text.hasPrefix("a.npz") || text.hasPrefix("x.npy"), "case \(i), seed \(base): \(text)")
                }
            }
        }
    }

    @Test("an .npy header is read from a deflated member without inflating the rest")
    func headerPrefix() throws {
        let npy = float32NPY(Array(repeating: 1, count: 100_000), shape: [1000, 100])
        let archive = try NPZ.encode([("x", npy)], compressed: true)
        let (prefix, size) = try NPZ.prefix(128, ofMember: "x", of: archive, name: "a.npz")
        #expect(prefix == npy.prefix(128) && size == npy.count)
        #expect(try NPY.Header.parse(prefix, name: "x").shape == [1000, 100])
    }

    @Test("damaged and hostile archives give an error naming the file, never a crash or a huge allocation")
    func damagedArchives() throws {
        for c in try Self.damaged() {
            do {
                _ = try NPZ.member("x", of: c.bytes, name: "a.npz")
                Issue.record("\(c.id): read")
            } catch {
                #expect("\(error)".hasPrefix(c.says), "\(c.id): \(error)")
            }
        }
        var huge = try NPZ.encode(Self.members, compressed: true)
        let cd = Int(huge[huge.count - 6]) | Int(huge[huge.count - 5]) << 8
        for k in 0..<4 { huge[cd + 24 + k] = 0xFE }
        #expect(throws: DatasetError.self) { try NPZ.member("x", of: huge, name: "a.npz") }
        #expect(throws: (any Error).self) { try NPZ.member("x", of: huge, name: "a.npz") }
    }
}

@Suite("Arrays from .npy and .npz files")
struct ArrayFilesTests {
    /// Writes named `.npy` bytes into a fresh directory; returns each file's path by name.
    static func write(_ files: [String: Data]) throws -> [String: String] {
        let dir = TestSupport.temporaryDirectory("arrays")
        var out: [String: String] = [:]
        for (name, data) in files {
            let url = dir.appendingPathComponent(name + ".npy")
            try data.write(to: url)
            out[name] = url.path
        }
        return out
    }

    static func files(_ p: [String: String], layout: ArrayFiles.Layout, classes: Int? = nil) -> ArrayFiles {
        ArrayFiles(trainInputs: .init(path: p["xtr"] ?? "/nonexistent/xtr.npy"), trainLabels: .init(path: p["ytr"] ?? "/nonexistent/ytr.npy"),
                   testInputs: .init(path: p["xte"] ?? "/nonexistent/xte.npy"), testLabels: .init(path: p["yte"] ?? "/nonexistent/yte.npy"),
                   layout: layout, classes: classes)
    }

    @Test("uint8 channels-last images are divided by 255 and reordered to channels first")
    func nhwc() throws {
        // Two 2×2 images of 3 channels; value = 100·n + 10·channel + pixel.
        var hwc: [UInt8] = []
        for n in 0..<2 { for pixel in 0..<4 { for c in 0..<3 { hwc.append(UInt8(100 * n + 10 * c + pixel)) } } }
        let p = try Self.write(["xtr": uint8NPY(hwc, shape: [2, 2, 2, 3]), "ytr": int64NPY([0, 2]),
                                "xte": uint8NPY(Array(hwc.prefix(12)), shape: [1, 2, 2, 3]), "yte": int64NPY([1])])
        let (train, test, summary) = try Self.files(p, layout: .nhwc).load()
        #expect(summary.imageShape == ImageShape(channels: 3, height: 2, width: 2))
        #expect(summary.classes == 3 && summary.trainCount == 2 && summary.testCount == 1 && summary.inputType == "uint8")
        var chw: [Float] = []
        for n in 0..<2 { for c in 0..<3 { for pixel in 0..<4 { chw.append(Float(100 * n + 10 * c + pixel) / 255) } } }
        #expect(train.inputs.shape == [2, 12] && train.inputs.scalars == chw)
        #expect(train.labels == [0, 2] && train.classes == 3 && train.imageShape == summary.imageShape)
        #expect(test.inputs.scalars == Array(chw.prefix(12)) && test.labels == [1])
    }

    @Test("float channels-first images and vectors are used as they are; rank 3 is one channel")
    func nchwAndFlat() throws {
        let values: [Float] = (0..<8).map { Float($0) - 3.5 }
        let p = try Self.write(["xtr": float32NPY(values, shape: [2, 2, 2]), "ytr": int64NPY([1, 0]),
                                "xte": float32NPY(values, shape: [2, 2, 2]), "yte": int64NPY([0, 1])])
        let (train, _, summary) = try Self.files(p, layout: .nchw, classes: 4).load()
        #expect(summary.imageShape == ImageShape(channels: 1, height: 2, width: 2) && summary.classes == 4)
        #expect(train.inputs.scalars == values)
        let q = try Self.write(["xtr": float32NPY(values, shape: [2, 4]), "ytr": int64NPY([1, 0]),
                                "xte": float32NPY(values, shape: [2, 4]), "yte": int64NPY([0, 1])])
        let (flat, _, flatSummary) = try Self.files(q, layout: .flat).load()
        #expect(flatSummary.imageShape == nil && flatSummary.features == 4 && flat.inputs.scalars == values)
    }

    @Test("the four arrays can be members of one .npz archive, stored or deflated")
    func archive() throws {
        let members: [(name: String, npy: Data)] = [
            ("x_train", float32NPY([1, 2, 3, 4], shape: [2, 2])), ("y_train", int64NPY([0, 1])),
            ("x_test", float32NPY([5, 6], shape: [1, 2])), ("y_test", int64NPY([1])),
        ]
        for compressed in [false, true] {
            let url = TestSupport.temporaryDirectory("npz").appendingPathComponent("data.npz")
            try NPZ.encode(members, compressed: compressed).write(to: url)
            let files = ArrayFiles(trainInputs: .init(path: url.path, member: "x_train"), trainLabels: .init(path: url.path, member: "y_train"),
                                   testInputs: .init(path: url.path, member: "x_test"), testLabels: .init(path: url.path, member: "y_test"))
            let (train, test, _) = try files.load()
            #expect(train.inputs.scalars == [1, 2, 3, 4] && test.inputs.scalars == [5, 6] && test.labels == [1])
            #expect(files.paths == [url.path])
        }
    }

    /// Each case: a readable id, the files, the layout and classes, and every problem expected (key: message).
    static func problemCases() throws -> [(id: String, files: ArrayFiles, problems: [String])] {
        let good: [String: Data] = ["xtr": float32NPY([0, 1, 2, 3, 4, 5], shape: [3, 2]), "ytr": int64NPY([0, 1, 1]),
                                    "xte": float32NPY([0, 1], shape: [1, 2]), "yte": int64NPY([1])]
        func with(_ changes: [String: Data]) throws -> [String: String] { try write(good.merging(changes) { $1 }) }
        let missing = try write(good.filter { $0.key != "xte" })
        let images = ["xtr": float32NPY(Array(repeating: 0, count: 12), shape: [3, 2, 2]), "xte": float32NPY([0, 0, 0, 0], shape: [1, 2, 2])]
        let supported = "expected float32/64, int8/16/32/64 or uint8/16"
        return [
            ("a missing file", files(missing, layout: .flat), ["test_inputs: /nonexistent/xte.npy: cannot read: no such file"]),
            ("float labels", files(try with(["ytr": float32NPY([0, 1, 1], shape: [3])]), layout: .flat),
             ["train_labels: $DIR/ytr.npy: unsupported .npy content: dtype <f4 holds floating-point numbers; integers (int8/16/32/64, uint8/16) are needed here"]),
            ("an unknown dtype", files(try with(["xtr": NPY.encode(raw: Data(count: 48), descr: "<c8", shape: [3, 2])]), layout: .flat),
             ["train_inputs: $DIR/xtr.npy: unsupported .npy content: dtype <c8; \(supported)"]),
            ("a truncated file", files(try with(["xtr": float32NPY([0, 1, 2, 3, 4, 5], shape: [3, 2]).dropLast(3)]), layout: .flat),
             ["train_inputs: $DIR/xtr.npy: truncated .npy file: expected 24 data bytes, found 21"]),
            ("images with layout flat", files(try with(images), layout: .flat),
             ["layout: layout 'flat' needs inputs of rank 2 (N×D), but $DIR/xtr.npy has shape (3, 2, 2)"]),
            ("vectors with layout nchw", files(try with([:]), layout: .nchw),
             ["layout: layout 'nchw' needs inputs of rank 4 (N×C×H×W) or 3 (N×H×W), but $DIR/xtr.npy has shape (3, 2)"]),
            ("train and test shapes differ", files(try with(["xte": float32NPY([0, 1, 2], shape: [1, 3])]), layout: .flat),
             ["test_inputs: test examples have shape (3,) but train examples have (2,)"]),
            ("uint8 train and float test inputs", files(try with(["xte": uint8NPY([0, 1], shape: [1, 2])]), layout: .flat),
             ["test_inputs: test inputs are uint8 but train inputs are float32; uint8 inputs are divided by 255 and others are not, so the splits would be scaled differently"]),
            ("fewer labels than inputs", files(try with(["ytr": int64NPY([0, 1])]), layout: .flat),
             ["train_labels: $DIR/ytr.npy holds 2 labels but $DIR/xtr.npy holds 3 examples"]),
            ("a negative label", files(try with(["yte": int64NPY([-1])]), layout: .flat),
             ["test_labels: $DIR/yte.npy holds the label -1 at index 0, outside 0..<2"]),
            ("a label beyond classes", files(try with(["ytr": int64NPY([0, 1, 5])]), layout: .flat, classes: 3),
             ["train_labels: $DIR/ytr.npy holds the label 5 at index 2, outside 0..<3"]),
            ("a label of 2^62 and no class count", files(try with(["ytr": int64NPY([0, 1, 1 << 62])]), layout: .flat),
             ["train_labels: $DIR/ytr.npy holds the label 4611686018427387904 at index 2, outside 0..<1000000"]),
            ("the largest int64 label", files(try with(["yte": int64NPY([Int.max])]), layout: .flat),
             ["test_labels: $DIR/yte.npy holds the label 9223372036854775807 at index 0, outside 0..<1000000"]),
            ("every label 0", files(try with(["ytr": int64NPY([0, 0, 0]), "yte": int64NPY([0])]), layout: .flat),
             ["train_labels: every label is 0: a classifier needs at least two classes"]),
            ("labels of shape (N, 2)", files(try with(["ytr": int64NPY([0, 1, 1, 0, 0, 1], shape: [3, 2])]), layout: .flat),
             ["train_labels: $DIR/ytr.npy has shape (3, 2); labels must be one integer per example, shape (N,)"]),
        ]
    }

    @Test("every problem with the arrays is found and blamed on the key to change")
    func problems() throws {
        for c in try Self.problemCases() {
            let (summary, found) = c.files.inspect()
            #expect(summary == nil, "\(c.id)")
            let dir = URL(fileURLWithPath: c.files.trainInputs.path).deletingLastPathComponent().path
            let texts = found.map { "\($0.key): \($0.message)".replacingOccurrences(of: dir, with: "$DIR") }
            #expect(texts == c.problems, "\(c.id)")
            #expect(throws: DatasetError.self) { try c.files.load() }
        }
    }

    @Test("non-finite inputs are refused when loaded, naming the file and the element")
    func nonFinite() throws {
        let p = try Self.write(["xtr": float32NPY([0, .nan], shape: [1, 2]), "ytr": int64NPY([0]),
                                "xte": float32NPY([0, 1], shape: [1, 2]), "yte": int64NPY([1])])
        #expect(throws: DatasetError.corrupt(p["xtr"] ?? "", "element 1 is nan; inputs must be finite")) {
            try Self.files(p, layout: .flat).load()
        }
    }
}
