import Foundation

/// How exported activations are stored for each epoch.
public enum ActivationFormat: String, Codable, Sendable, NodeEnum {
    /// `epoch<N>/<layer>.npy`: one NumPy array per layer.
    case npy
    /// `epoch<N>.safetensors`: one tensor per layer, named after the layer.
    case safetensors
}

/// Activations a user exported from a network trained elsewhere (`activations:`), analysed in
/// place of Accordion's own training and probing.
///
/// The files of one run live under ``directory`` (absolute once decoded):
///
/// ```
/// <directory>/labels.npy                 optional: one integer class per point
/// <directory>/epoch<N>/<layer>.npy       format npy
/// <directory>/epoch<N>.safetensors       format safetensors: one tensor per layer
/// ```
///
/// Each layer's array holds one row per point (N×D, or N×… flattened to N×D); every layer of
/// every epoch holds the same N points in the same order. A directory holding ``seedPlaceholder``
/// names one directory per replicate: `{seed}` becomes the run point's `train.seed`.
public struct ActivationsSpec: Codable, Hashable, Sendable {
    public var directory: String
    /// Layer names in depth order: file names (npy) or tensor names (safetensors).
    public var layers: [String]
    /// Epochs present, ascending; 0 is the untrained network.
    public var epochs: [Int]
    public var format: ActivationFormat

    /// Written in ``directory``, stands for the run point's `train.seed`.
    public static let seedPlaceholder = "{seed}"
    /// The labels' file name inside a run's directory.
    public static let labelsFile = "labels.npy"
    /// Most layers a spec may list.
    public static let maxLayers = 1000
    /// Most epochs a spec may list, and the largest epoch number.
    public static let maxEpochs = 1000, maxEpoch = 1_000_000

    public init(directory: String, layers: [String], epochs: [Int], format: ActivationFormat) {
        self.directory = directory
        self.layers = layers
        self.epochs = epochs
        self.format = format
    }

    /// Whether each replicate reads its own directory.
    public var perSeed: Bool { directory.contains(Self.seedPlaceholder) }

    /// The directory of the run whose `train.seed` is `seed`.
    public func runDirectory(seed: UInt64) -> String {
        directory.replacingOccurrences(of: Self.seedPlaceholder, with: String(seed))
    }

    /// The file holding `layer` at `epoch` (for safetensors, the file holding every layer).
    public func file(epoch: Int, layer: String, seed: UInt64) -> String {
        let run = runDirectory(seed: seed)
        switch format {
        case .npy: return "\(run)/epoch\(epoch)/\(layer).npy"
        case .safetensors: return "\(run)/epoch\(epoch).safetensors"
        }
    }

    /// Every activation file of one epoch, without repeats.
    public func files(epoch: Int, seed: UInt64) -> [String] {
        format == .safetensors ? [file(epoch: epoch, layer: "", seed: seed)] : layers.map { file(epoch: epoch, layer: $0, seed: seed) }
    }

    /// Where the labels of the run with `seed` are, if it has any.
    public func labels(seed: UInt64) -> String { runDirectory(seed: seed) + "/" + Self.labelsFile }

    /// Why `name` cannot name a layer's file, or nil when it can: ASCII letters, digits, `-`,
    /// `_` and `.` (PyTorch module paths such as `blocks.3.mlp`), not starting with `.`, at most
    /// 200 characters.
    public static func layerNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.count > 200 { return "has \(name.count) characters, more than 200" }
        if name.hasPrefix(".") { return "starts with '.'" }
        if let bad = name.unicodeScalars.first(where: { !isLayerScalar($0) }) {
            return "holds the character " + (bad.properties.generalCategory == .control || bad == " " ? String(format: "U+%04X", bad.value) : "'\(bad)'")
        }
        return nil
    }

    private static func isLayerScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".": return true
        default: return false
        }
    }
}
