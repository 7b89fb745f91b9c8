import AccordionTestSupport
import Foundation
import Testing
import Tensors

@Suite("NPY dtypes and byte orders")
struct NPYDTypeTests {
    /// Each case: a readable id, the descr, the data bytes written out by hand, and the values they hold.
    static let cases: [(id: String, descr: String, bytes: [UInt8], values: [Double])] = [
        ("int8", "|i1", [0x80, 0xFF, 0x00, 0x7F], [-128, -1, 0, 127]),
        ("uint8", "|u1", [0x00, 0x01, 0xFE, 0xFF], [0, 1, 254, 255]),
        ("int16 little-endian", "<i2", [0xFE, 0xFF, 0x01, 0x02], [-2, 513]),
        ("int16 big-endian", ">i2", [0xFF, 0xFE, 0x02, 0x01], [-2, 513]),
        ("uint16 little-endian", "<u2", [0xFF, 0xFF, 0x02, 0x01], [65535, 258]),
        ("uint16 big-endian", ">u2", [0xFF, 0xFF, 0x01, 0x02], [65535, 258]),
        ("int32 little-endian", "<i4", [0xFF, 0xFF, 0xFF, 0xFF, 0x04, 0x03, 0x02, 0x01], [-1, 16_909_060]),
        ("int32 big-endian", ">i4", [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03, 0x04], [-1, 16_909_060]),
        // 2^56 + 2^48: exact in a Double, and wrong by far if the bytes are read in the wrong order.
        ("int64 little-endian", "<i8", [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x01, 0x01],
         [-2, 72_339_069_014_638_592]),
        ("int64 big-endian", ">i8", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0x01, 0x01, 0, 0, 0, 0, 0, 0],
         [-2, 72_339_069_014_638_592]),
        ("float32 little-endian", "<f4", [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0], [1.5, -2]),
        ("float32 big-endian", ">f4", [0x3F, 0xC0, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00], [1.5, -2]),
        ("float64 little-endian", "<f8", [0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0, 0, 0, 0, 0, 0, 0, 0xC0], [1.5, -2]),
        ("float64 big-endian", ">f8", [0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0], [1.5, -2]),
    ]

    @Test("each dtype in each byte order decodes to the values its bytes hold", arguments: cases.indices)
    func knownAnswers(_ i: Int) throws {
        let c = Self.cases[i]
        let data = NPY.encode(raw: Data(c.bytes), descr: c.descr, shape: [c.values.count])
        let tensor = try NPY.decode(data, name: c.id, as: Double.self)
        #expect(tensor.shape == [c.values.count], "\(c.id)")
        #expect(tensor.scalars == c.values, "\(c.id)")
        let header = try NPY.Header.parse(data, name: c.id)
        #expect(header.bigEndian == c.descr.hasPrefix(">"), "\(c.id)")
        if header.dtype.isInteger {
            #expect(try NPY.decodeIntegers(data, name: c.id).values == c.values.map { Int($0) }, "\(c.id)")
        } else {
            #expect(throws: NPY.Error.self) { try NPY.decodeIntegers(data, name: c.id) }
        }
    }

    @Test("int64 labels keep every bit, in both byte orders")
    func int64Exact() throws {
        let little = NPY.encode(raw: Data([0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01]), descr: "<i8", shape: [1])
        let big = NPY.encode(raw: Data([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]), descr: ">i8", shape: [1])
        #expect(try NPY.decodeIntegers(little, name: "l").values == [0x0102_0304_0506_0708])
        #expect(try NPY.decodeIntegers(big, name: "b").values == [0x0102_0304_0506_0708])
    }

    @Test("floating-point arrays refuse to be read as integers, naming the file and the dtype")
    func floatLabels() {
        let data = NPY.encode(raw: Data(count: 8), descr: "<f4", shape: [2])
        do {
            _ = try NPY.decodeIntegers(data, name: "y.npy")
            Issue.record("float32 decoded as integers")
        } catch {
            #expect("\(error)" == "y.npy: unsupported .npy content: dtype <f4 holds floating-point numbers; integers (int8/16/32/64, uint8/16) are needed here")
        }
    }

    /// Each case: a readable id, the bytes, and the whole message expected.
    static let hostile: [(id: String, bytes: Data, says: String)] = [
        ("bad magic", Data("PK\u{3}\u{4}not an npy file".utf8), "x.npy: not a NumPy .npy file (bad magic)"),
        ("huge shape, few bytes", NPY.encode(raw: Data(count: 16), descr: "<i8", shape: [1 << 30, 1 << 20]),
         "x.npy: truncated .npy file: expected 9007199254740992 data bytes, found 16"),
        ("shape that overflows", NPY.encode(raw: Data(count: 16), descr: "<i8", shape: [1 << 40, 1 << 22]),
         "x.npy: corrupt .npy header: shape (1099511627776, 4194304) of 8-byte elements overflows the address space"),
        ("truncated data", NPY.encode(raw: Data(count: 7), descr: "<i4", shape: [2]),
         "x.npy: truncated .npy file: expected 8 data bytes, found 7"),
        ("unknown dtype", NPY.encode(raw: Data(count: 2), descr: "<c8", shape: [2]),
         "x.npy: unsupported .npy content: dtype <c8; expected float32/64, int8/16/32/64 or uint8/16"),
        ("Fortran order", Data(NPY.encode(raw: Data(count: 4), descr: "<f4", shape: [1]).map { $0 }).replacing(Data("False".utf8), with: Data("True ".utf8)),
         "x.npy: unsupported .npy content: Fortran order; save with np.ascontiguousarray"),
        ("version-2 header length of 4 GiB", Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
         "x.npy: corrupt .npy header: header length 4294967295 exceeds the 0 bytes after the preamble"),
    ]

    @Test("hostile and truncated files give one clear error naming the file", arguments: hostile.indices)
    func hostileFiles(_ i: Int) {
        let c = Self.hostile[i]
        do {
            _ = try NPY.decode(c.bytes, name: "x.npy", as: Float.self)
            Issue.record("\(c.id): decoded")
        } catch {
            #expect("\(error)" == c.says, "\(c.id)")
        }
    }
}
