import Foundation
import Tensors

/// Why a checkpoint does not fit a model.
public enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Tensors the model needs that the checkpoint lacks.
    case missing(source: String, names: [String], available: [String])
    /// Tensors in the checkpoint that the model does not have (strict loading only).
    case unexpected(source: String, names: [String])
    case shapeMismatch(source: String, name: String, checkpoint: [Int], model: [Int])

    public var description: String {
        switch self {
        case let .missing(source, names, available):
            return "\(source): no tensor named \(names.map { "'\($0)'" }.joined(separator: ", ")) (it has \(available.joined(separator: ", ")))"
        case let .unexpected(source, names):
            return "\(source): tensors \(names.map { "'\($0)'" }.joined(separator: ", ")) are not in the model (load with strict: false to ignore them)"
        case let .shapeMismatch(source, name, checkpoint, model):
            return "\(source): tensor '\(name)' has shape \(checkpoint), the model expects \(model)"
        }
    }
}

/// Checkpoints as PyTorch `state_dict`s: every parameter and batch-norm running statistic under
/// its PyTorch name (`0.weight` with shape `(out, in)`, `layer1.0.bn1.running_var`, …), written
/// as `.safetensors` (F32, little-endian). The PyTorch twin of the architecture reads one with
/// `model.load_state_dict(safetensors.torch.load_file(path))`, strict: batch norm's integer
/// `num_batches_tracked` is not stored, and PyTorch fills it in when it is absent (it only matters
/// to PyTorch's cumulative-average mode, which Accordion does not use).
extension Sequential {
    /// Parameters and buffers by name.
    public func stateDict() -> [String: FloatTensor] {
        var state: [String: FloatTensor] = [:]
        for p in parameters { state[p.name] = p.value }
        for b in buffers { state[b.name] = b.value }
        return state
    }

    /// Copies named tensors into the parameters and buffers, checking names and shapes; nothing
    /// is changed unless every check passes. With `strict`, tensors the model does not have are
    /// an error; PyTorch's `num_batches_tracked` counters are always ignored.
    public func loadStateDict(_ state: [String: FloatTensor], strict: Bool = true, source: String = "state dict") throws {
        let targets: [(name: String, shape: [Int], assign: (FloatTensor) -> Void)] =
            parameters.map { p in (p.name, p.value.shape, { p.value = $0 }) }
            + buffers.map { b in (b.name, b.value.shape, { b.value = $0 }) }
        let missing = targets.map(\.name).filter { state[$0] == nil }
        guard missing.isEmpty else {
            throw CheckpointError.missing(source: source, names: missing, available: state.keys.sorted())
        }
        if strict {
            let known = Set(targets.map(\.name))
            let extra = state.keys.filter { !known.contains($0) && !$0.hasSuffix("num_batches_tracked") }.sorted()
            guard extra.isEmpty else { throw CheckpointError.unexpected(source: source, names: extra) }
        }
        for t in targets {
            guard let value = state[t.name], value.shape == t.shape else {
                throw CheckpointError.shapeMismatch(source: source, name: t.name, checkpoint: state[t.name]?.shape ?? [], model: t.shape)
            }
        }
        for t in targets {
            if let value = state[t.name] { t.assign(value) }
        }
    }

    /// Writes the state dict to `url` atomically as `.safetensors`, with `metadata` in the header.
    public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDict(), to: url, metadata: metadata)
    }

    /// Reads a `.safetensors` state dict (ours or PyTorch's) into the model.
    public func loadCheckpoint(from url: URL, strict: Bool = true) throws {
        try loadStateDict(Safetensors.read(url), strict: strict, source: url.path)
    }
}
