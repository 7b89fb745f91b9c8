import ExperimentSpec
import NeuralNets
import Tensors

/// Builds the network a model spec describes and moves weights in and out of checkpoints.
enum ModelFactory {
    static func build(_ model: ModelSpec, inputs: Int, classes: Int, seed: UInt64) -> Sequential {
        var rng = RandomStream(seed: seed, path: "model/init")
        return Architectures.mlp(
            inputs: inputs, widths: model.widths, classes: classes,
            activation: ActivationKind(rawValue: model.activation.rawValue) ?? .relu,
            initializer: Initializer(rawValue: model.initializer.rawValue) ?? .he, rng: &rng)
    }

    static func state(_ model: Sequential) -> [String: FloatTensor] {
        Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0.value) })
    }

    /// Copies checkpoint tensors into the model's parameters, checking names and shapes.
    static func load(_ state: [String: FloatTensor], into model: Sequential, source: String) throws {
        for p in model.parameters {
            guard let t = state[p.name] else {
                throw StageFailure(stage: "checkpoint", reason: "\(source) has no tensor '\(p.name)' (it has \(state.keys.sorted().joined(separator: ", ")))")
            }
            guard t.shape == p.value.shape else {
                throw StageFailure(stage: "checkpoint", reason: "\(source): tensor '\(p.name)' has shape \(t.shape), the model expects \(p.value.shape)")
            }
            p.value = t
        }
    }
}
