import AccordionTestSupport
import Foundation
import Testing
import Tensors

/// `.npy` bytes with a hand-written header dictionary and `payload` data bytes.
func npyBytes(header dict: String, payload: Int, major: UInt8 = 1) -> Data {
    var header = dict
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [major, 0])
    let n = header.utf8.count
    data.append(contentsOf: major == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)]
                : [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), 0, 0])
    data.append(contentsOf: Array(header.utf8))
    data.append(Data(count: payload))
    return data
}

/// Safetensors bytes with a given header length field, JSON header and data bytes.
func safetensorsBytes(json: String, payload: Int, length: UInt64? = nil) -> Data {
    var data = Data()
    var n = (length ?? UInt64(json.utf8.count)).littleEndian
    withUnsafeBytes(of: &n) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(json.utf8))
    data.append(Data(count: payload))
    return data
}

@Suite("Hostile tensor file headers")
struct HostileHeaderTests {
    /// Each case: a readable id, the bytes, and a phrase the error must contain.
    static let npyCases: [(id: String, bytes: Data, says: String)] = [
        ("negative extent", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-5, 3), }", payload: 60),
         "extent '-5'"),
        ("overflowing shape 2^32 × 2^32", npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", payload: 8),
         "overflows"),
        ("shape product overflows with a zero-free shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }", payload: 8),
         "overflows"),
        ("non-numeric extent", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2**32, 3), }", payload: 8),
         "extent '2**32'"),
        ("header length beyond the file", Data([0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0x7F] + Array("{'descr'".utf8)),
         "header length 2147483647 exceeds"),
        ("payload shorter than the shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", payload: 40),
         "expected 48 data bytes, found 40"),
        ("payload longer than the shape", npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", payload: 52),
         "needs 48 data bytes but 52 follow"),
    ]

    @Test("a .npy header with an impossible size throws an error naming the file", arguments: npyCases.indices)
    func npy(_ i: Int) {
        let c = Self.npyCases[i]
        do {
            let t: DoubleTensor = try NPY.decode(c.bytes, name: "bad.npy")
            Issue.record("\(c.id): decoded shape \(t.shape) instead of failing")
        } catch {
            #expect("\(error)".hasPrefix("bad.npy: "), "\(c.id): \(error)")
            #expect("\(error)".contains(c.says), "\(c.id): \(error)")
        }
    }

    @Test("valid .npy headers still read: a scalar, a vector with its trailing comma, a format 2.0 file")
    func npyValid() throws {
        let scalar: DoubleTensor = try NPY.decode(npyBytes(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", payload: 8), name: "s.npy")
        #expect(scalar.shape == [] && scalar.count == 1)
        let vector: FloatTensor = try NPY.decode(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", payload: 28), name: "v.npy")
        #expect(vector.shape == [7])
        let v2: FloatTensor = try NPY.decode(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", payload: 0, major: 2), name: "e.npy")
        #expect(v2.shape == [0, 3])
    }

    static let safetensorsCases: [(id: String, bytes: Data, says: String)] = [
        ("header length 2^64 − 1", safetensorsBytes(json: "{}", payload: 0, length: UInt64.max), "header length 18446744073709551615 exceeds"),
        ("header length near 2^63", safetensorsBytes(json: "{}", payload: 0, length: 1 << 63), "header length 9223372036854775808 exceeds"),
        ("negative extent", safetensorsBytes(json: #"{"w":{"dtype":"F32","shape":[-5,3],"data_offsets":[0,60]}}"#, payload: 60),
         "negative extent"),
        ("overflowing shape", safetensorsBytes(json: #"{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}"#, payload: 16),
         "overflows"),
        ("extent beyond 64 bits", safetensorsBytes(json: #"{"w":{"dtype":"F32","shape":[1e30],"data_offsets":[0,16]}}"#, payload: 16),
         "not integers in range"),
        ("offsets that overflow", safetensorsBytes(json: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[-9000000000000000000,9000000000000000000]}}"#, payload: 16),
         "inconsistent with shape"),
        ("offsets beyond the data", safetensorsBytes(json: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, payload: 8),
         "inconsistent with shape [4] (16 bytes) or the 8 data bytes"),
    ]

    @Test("a safetensors header with an impossible size throws an error naming the file", arguments: safetensorsCases.indices)
    func safetensors(_ i: Int) {
        let c = Self.safetensorsCases[i]
        do {
            let t = try Safetensors.decode(c.bytes, name: "bad.safetensors")
            Issue.record("\(c.id): decoded \(t.keys.sorted()) instead of failing")
        } catch {
            #expect("\(error)".hasPrefix("bad.safetensors: "), "\(c.id): \(error)")
            #expect("\(error)".contains(c.says), "\(c.id): \(error)")
        }
    }

    @Test("reading a directory or a missing file says so in words, not as a Foundation error")
    func unreadable() throws {
        let dir = TestSupport.temporaryDirectory("tensor-dir")
        for (url, says) in [(dir, "it is a directory"), (dir.appendingPathComponent("none.npy"), "no such file")] {
            do {
                _ = try NPY.readDouble(url)
                Issue.record("read \(url.path)")
            } catch {
                #expect("\(error)" == "\(url.path): cannot read: \(says)" || "\(error)".contains(says), "\(error)")
                #expect(!"\(error)".contains("NSCocoaErrorDomain"))
            }
            #expect(throws: TensorFileError.self) { _ = try Safetensors.read(url) }
        }
    }
}
