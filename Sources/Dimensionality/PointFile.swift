import Foundation
import Tensors

/// Points read from a `.npy` file or a `.safetensors` tensor, in the file's precision.
public enum PointFile: Sendable {
    case float(FloatTensor)
    case double(DoubleTensor)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        static func message(_ text: String) -> Failure { Failure(description: text) }
    }

    /// Reads an N × D array from a `.npy` file (float32 or float64) or one tensor of a
    /// `.safetensors` file (`tensor` names it when there are several); errors name the file.
    public init(path: String, tensor: String?) throws {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw Failure.message("\(path): no such file (give an N × D .npy or .safetensors file)")
        }
        let shape: [Int]
        if url.pathExtension.lowercased() == "safetensors" {
            let all = try Safetensors.read(url)
            let name: String
            if let tensor {
                name = tensor
            } else if all.count == 1, let only = all.keys.first {
                name = only
            } else {
                throw Failure.message("\(path) holds \(all.count) tensors; choose one with --tensor NAME (tensors: \(all.keys.sorted().joined(separator: ", ")))")
            }
            guard let t = all[name] else { throw Safetensors.Error.missingTensor(path, name, available: Array(all.keys)) }
            self = .float(t)
            shape = t.shape
        } else {
            if tensor != nil { throw Failure.message("--tensor applies to .safetensors files; \(path) is read as .npy") }
            let data = try TensorFileError.contents(of: url)
            let header = String(decoding: data.prefix(256), as: UTF8.self)
            if header.contains("f8") {
                let t: DoubleTensor = try NPY.decode(data, name: path)
                self = .double(t)
                shape = t.shape
            } else {
                let t: FloatTensor = try NPY.decode(data, name: path)
                self = .float(t)
                shape = t.shape
            }
        }
        guard shape.count >= 2 else {
            throw Failure.message("\(path): expected a 2-D array of points (N × D), got shape (\(shape.map(String.init).joined(separator: ", ")))")
        }
    }

    public var count: Int {
        switch self { case .float(let t): return t.rows; case .double(let t): return t.rows }
    }

    public var dimension: Int {
        switch self { case .float(let t): return t.columns; case .double(let t): return t.columns }
    }

    public var dtype: String {
        switch self { case .float: return "float32"; case .double: return "float64" }
    }

    public func estimate(_ estimator: IDEstimator, labels: [Int]? = nil, threads: Int) throws -> IDEstimate {
        switch self {
        case .float(let t): return try estimator.estimate(t, labels: labels, threads: threads)
        case .double(let t): return try estimator.estimate(t, labels: labels, threads: threads)
        }
    }
}
