import ExperimentSpec
import Foundation
import ResultBundles
import Tensors

/// Parameters of an `import` stage: one epoch of activations exported elsewhere.
public struct ImportParams: Codable, Sendable, Equatable {
    /// The run's directory, `{seed}` filled in.
    public var directory: String
    public var format: ActivationFormat
    public var epoch: Int
    /// Layers in depth order.
    public var layers: [String]
    /// Size and modification time of every file read (`path → "size@mtime"`, labels included,
    /// `missing` for a file that is not there), so a changed file changes the key.
    public var files: [String: String]

    /// The parameters of one epoch of one run, stamping its files as they are now.
    init(_ spec: ActivationsSpec, epoch: Int, seed: UInt64) {
        directory = spec.runDirectory(seed: seed)
        format = spec.format
        self.epoch = epoch
        layers = spec.layers
        files = [:]
        for path in spec.files(epoch: epoch, seed: seed) + [spec.labels(seed: seed)] { files[path] = Self.stamp(path) }
    }

    var spec: ActivationsSpec { ActivationsSpec(directory: directory, layers: layers, epochs: [epoch], format: format) }

    /// A file's size and modification time to the microsecond, or `missing`.
    static func stamp(_ path: String) -> String {
        guard let a = try? FileManager.default.attributesOfItem(atPath: path), let size = a[.size] as? Int,
              let date = a[.modificationDate] as? Date else { return "missing" }
        return "\(size)@" + String(format: "%.6f", date.timeIntervalSince1970)
    }
}

/// Reads exported activation files: headers alone to check a spec before anything runs, in full
/// to import them. Every error names the file.
enum ActivationFiles {
    /// Most points a layer may hold, and most values (points × features) per layer.
    static let maximumRows = 1_000_000
    static let maximumValues = 1 << 31

    /// A problem, at the `activations` key to blame.
    struct Problem: Error, CustomStringConvertible {
        var key: String
        var message: String
        var help: String? = nil
        /// The layer to blame, located at its item of `activations.layers`.
        var layer: String? = nil
        var description: String { message }
    }

    /// The shape of a layer's array, from its header.
    struct Layer {
        var file: String
        var shape: [Int]
        var rows: Int { shape.first ?? 0 }
    }

    /// The headers of every layer of one epoch of the run with `seed`, and a problem for each
    /// layer that is missing or unusable; throws when the epoch itself cannot be read.
    static func headers(_ spec: ActivationsSpec, epoch: Int, seed: UInt64) throws -> (layers: [String: Layer], problems: [Problem]) {
        var out: [String: Layer] = [:]
        var problems: [Problem] = []
        func missing(_ layer: String, _ what: String, help: String) {
            problems.append(Problem(key: "layers", message: "layer '\(layer)' is missing at epoch \(epoch): \(what)", help: help, layer: layer))
        }
        switch spec.format {
        case .npy:
            let directory = spec.runDirectory(seed: seed) + "/epoch\(epoch)"
            guard isDirectory(directory) else {
                throw Problem(key: "epochs", message: "epoch \(epoch) was not exported: no directory \(directory)",
                              help: "list only the epochs present under activations.epochs")
            }
            for layer in spec.layers {
                let file = spec.file(epoch: epoch, layer: layer, seed: seed)
                guard FileManager.default.fileExists(atPath: file) else {
                    missing(layer, "no file \(file)", help: "export every listed layer for every epoch, or remove '\(layer)' from activations.layers")
                    continue
                }
                do {
                    let data = try read(file)
                    let header = try NPY.Header.parse(data, name: file)
                    try header.checkPayload(of: data, name: file)
                    out[layer] = try checked(Layer(file: file, shape: header.shape), layer: layer)
                } catch let problem as Problem {
                    problems.append(problem)
                } catch {
                    problems.append(Problem(key: "layers", message: "\(error)", help: "export the file again with numpy.save", layer: layer))
                }
            }
        case .safetensors:
            let file = spec.file(epoch: epoch, layer: "", seed: seed)
            guard FileManager.default.fileExists(atPath: file) else {
                throw Problem(key: "epochs", message: "epoch \(epoch) was not exported: no file \(file)",
                              help: "list only the epochs present under activations.epochs")
            }
            let entries = try Safetensors.entries(try read(file), name: file).entries
            for layer in spec.layers {
                guard let entry = entries[layer] else {
                    let names = entries.keys.sorted()
                    missing(layer, "\(file) has no tensor of that name",
                            help: "its tensors are: " + names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", …" : ""))
                    continue
                }
                do {
                    out[layer] = try checked(Layer(file: file + " (tensor '\(layer)')", shape: entry.shape), layer: layer)
                } catch let problem as Problem {
                    problems.append(problem)
                }
            }
        }
        return (out, problems)
    }

    /// The layer if its shape can be analysed: at least one axis, 3 to ``maximumRows`` points,
    /// at least one feature and at most ``maximumValues`` values.
    private static func checked(_ layer: Layer, layer name: String) throws -> Layer {
        let shape = layer.shape
        guard let rows = shape.first else {
            throw Problem(key: "layers", message: "\(layer.file): a scalar, not one row per point",
                          help: "save an array of shape (points, features)", layer: name)
        }
        let features = shape.dropFirst().reduce(1, *)
        if rows < 3 || rows > maximumRows {
            throw Problem(key: "layers", message: "\(layer.file): \(rows) points; 3 to \(maximumRows) are analysed",
                          help: "export between 3 and \(maximumRows) points", layer: name)
        }
        if features < 1 || rows * features > maximumValues {
            throw Problem(key: "layers", message: "\(layer.file): shape \(shape) holds \(rows * features) values per layer; 1 to \(maximumValues) are read",
                          help: "export fewer points, or pool the features (e.g. average over tokens or pixels)", layer: name)
        }
        return layer
    }

    /// The labels of the run with `seed`, nil when it has none; checked to be non-negative
    /// integers, one per point.
    static func labels(_ spec: ActivationsSpec, seed: UInt64, rows: Int?) throws -> [Int]? {
        let file = spec.labels(seed: seed)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let (shape, values) = try NPY.decodeIntegers(try read(file), name: file)
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw Problem(key: "directory", message: "\(file): labels of shape \(shape); one integer per point is needed",
                          help: "save a 1-D integer array, e.g. np.save('labels.npy', y.astype(np.int64))")
        }
        if let rows, values.count != rows {
            throw Problem(key: "directory", message: "\(file) holds \(values.count) labels for \(rows) points",
                          help: "save one label per exported point, in the same order")
        }
        if let bad = values.first(where: { $0 < 0 || $0 >= 1_000_000 }) {
            throw Problem(key: "directory", message: "\(file): label \(bad) is not a class index in 0...999999",
                          help: "number the classes from 0")
        }
        return values
    }

    /// Every layer of one epoch as N×D float32 (further axes flattened), each value checked finite
    /// and every layer checked to hold the same N points.
    static func load(_ spec: ActivationsSpec, epoch: Int, seed: UInt64) throws -> [(layer: String, points: FloatTensor)] {
        var out: [(String, FloatTensor)] = []
        var safetensors: (data: Data, entries: [String: Safetensors.Entry], start: Int)?
        if spec.format == .safetensors {
            let file = spec.file(epoch: epoch, layer: "", seed: seed)
            let data = try read(file)
            let (entries, start) = try Safetensors.entries(data, name: file)
            safetensors = (data, entries, start)
        }
        for layer in spec.layers {
            let file = spec.file(epoch: epoch, layer: layer, seed: seed)
            let tensor: FloatTensor
            let name: String
            if let s = safetensors {
                name = file + " (tensor '\(layer)')"
                guard let entry = s.entries[layer] else {
                    throw Problem(key: "layers", message: "\(file) has no tensor named '\(layer)'")
                }
                _ = try checked(Layer(file: name, shape: entry.shape), layer: layer)
                tensor = Safetensors.tensor(s.data, entry, dataStart: s.start)
            } else {
                name = file
                let data = try read(file)
                let header = try NPY.Header.parse(data, name: file)
                _ = try checked(Layer(file: file, shape: header.shape), layer: layer)
                tensor = try NPY.decode(data, name: file, as: Float.self)
            }
            let rows = tensor.shape[0], features = tensor.shape.dropFirst().reduce(1, *)
            if let bad = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
                throw Problem(key: "layers", message: "\(name): point \(bad / features), feature \(bad % features) is \(tensor.scalars[bad])",
                              help: "export finite activations (check the network for overflow)")
            }
            if let first = out.first, first.1.rows != rows {
                throw Problem(key: "layers", message: "\(name) holds \(rows) points but layer '\(first.0)' holds \(first.1.rows)",
                              help: "export every layer on the same points")
            }
            out.append((layer, FloatTensor(shape: [rows, features], scalars: tensor.scalars)))
        }
        return out
    }

    private static func read(_ path: String) throws -> Data {
        try TensorFileError.contents(of: URL(fileURLWithPath: path))
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
