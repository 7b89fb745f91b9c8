import AccordionTestSupport
import Foundation
import Testing
import Tensors

@Suite(".npy and safetensors files")
struct FileFormatTests {
    @Test("a tensor written as .npy reads back identically")
    func npyRoundTrip() throws {
        var rng = RandomStream(seed: 3)
        let t: FloatTensor = rng.normalTensor(shape: [7, 5])
        let url = TestSupport.temporaryDirectory().appendingPathComponent("t.npy")
        try NPY.write(t, to: url)
        let back: FloatTensor = try NPY.decode(Data(contentsOf: url), name: url.path)
        #expect(back == t)
    }

    @Test("the reference .npy files (float64, written by NumPy) read with their shapes")
    func readsNumPy() throws {
        let t = try NPY.readDouble(TestSupport.fixture("reference/uniform5_in50.npy"))
        #expect(t.shape == [2000, 50])
    }

    @Test("a truncated .npy is rejected with a message naming the sizes")
    func truncated() throws {
        let data = NPY.encode(FloatTensor(shape: [10, 10], repeating: 1)).dropLast(8)
        #expect(throws: NPY.Error.self) { _ = try NPY.decode(Data(data), name: "x.npy", as: Float.self) }
    }

    @Test("safetensors round trip keeps names, shapes and values")
    func safetensorsRoundTrip() throws {
        var rng = RandomStream(seed: 9)
        let w: FloatTensor = rng.normalTensor(shape: [4, 3])
        let b: FloatTensor = rng.normalTensor(shape: [4])
        let data = Safetensors.encode(["0.weight": w, "0.bias": b])
        let back = try Safetensors.decode(data, name: "m.safetensors")
        #expect(back["0.weight"] == w)
        #expect(back["0.bias"] == b)
    }
}
