import Foundation
import Yams

extension Experiment {
    /// Decodes `train.batch_size` (a count or `full`), `train.steps` and `train.target_loss`, and
    /// derives ``TrainSpec/epochs`` from `steps`.
    ///
    /// `trainCount` is the size of the training split in use, when known before any data is read
    /// (always, for the datasets Accordion knows): a full batch and a step count are both defined
    /// against it.
    static func decodeTrainingLength(_ train: inout TrainSpec, _ t: inout MapReader, trainCount: Int?, ctx: DecodeContext) {
        switch t.read("batch_size", default: BatchSizeValue.examples(64)) {
        case .full:
            train.fullBatch = true
            train.batchSize = max(1, trainCount ?? 1)
        case .examples(let b):
            if (1...65536).contains(b) {
                train.batchSize = b
            } else {
                ctx.error(t.child("batch_size"), ["train", "batch_size"], "'train.batch_size' is \(b), out of range",
                          help: "use a value in 1...65536, or 'full' for the whole training split")
            }
        }

        let stepsNode = t.child("steps")
        if let steps: Int = t.optional("steps") {
            if !(1...100_000_000).contains(steps) {
                ctx.error(stepsNode, ["train", "steps"], "'train.steps' is \(steps), out of range", help: "use a value in 1...100000000")
            } else if t.given("epochs") {
                ctx.error(t.keyNode("steps"), ["train", "steps"], "'train.steps' cannot be combined with 'train.epochs'",
                          help: "give either steps (optimizer steps) or epochs (passes over the training split); the epoch count follows from steps",
                          length: 5)
            } else {
                let perEpoch = train.stepsPerEpoch(trainCount: trainCount ?? train.batchSize)
                let epochs = (steps + perEpoch - 1) / perEpoch
                if epochs > 10000 {
                    ctx.error(stepsNode, ["train", "steps"], "'train.steps' is \(steps), which at \(perEpoch) step(s) per epoch is \(epochs) epochs",
                              help: "use at most \(10000 * perEpoch) steps (10000 epochs), or a larger batch")
                } else {
                    train.steps = steps
                    train.epochs = epochs
                }
            }
        }

        let targetNode = t.child("target_loss")
        if let target: Double = t.optional("target_loss") {
            if !(0...1e6).contains(target) {
                ctx.error(targetNode, ["train", "target_loss"], "'train.target_loss' is \(readable(target)), out of range",
                          help: "use a value in 0...1000000")
            } else if t.given("steps") {
                ctx.error(t.keyNode("target_loss"), ["train", "target_loss"], "'train.target_loss' cannot be combined with 'train.steps'",
                          help: "train.epochs is the longest a run with a target loss trains; remove steps", length: 11)
            } else if train.epochs == 0 {
                ctx.error(targetNode, ["train", "target_loss"], "'train.target_loss' needs training, but 'train.epochs' is 0",
                          help: "set train.epochs to the most epochs the run may take")
            } else {
                train.targetLoss = target
            }
        }
    }
}

extension MapReader {
    /// Whether `key` is present with a value that is not null (`epochs: ~` counts as absent).
    func given(_ key: String) -> Bool {
        child(key).map { !isNull($0) } ?? false
    }
}

extension Experiment {
    /// Decodes `data.clusters.centers`, `center_std`, `side` and `classes`, storing each as nil
    /// when it holds its default so that existing data stages keep their keys.
    static func decodeClusterCenters(_ clusters: inout ClustersSpec, _ cl: inout MapReader, ctx: DecodeContext) {
        let centers: ClusterCenters = cl.read("centers", default: .gaussian)
        let centerStd = cl.read("center_std", default: 1.0, in: 1e-12...1e6, rangeText: "(0, 10⁶]")
        let side = cl.read("side", default: ClustersSpec.defaultSide, in: 1e-12...1e6, rangeText: "(0, 10⁶]")
        let classes = cl.read("classes", default: 2, in: 2...1_000_000)
        for (key, owner) in [("center_std", ClusterCenters.gaussian), ("side", .uniform)] where cl.given(key) && centers != owner {
            ctx.error(cl.keyNode(key), ["data", "clusters", key],
                      "'data.clusters.\(key)' applies to 'centers: \(owner.rawValue)', not '\(centers.rawValue)'",
                      help: "remove it, or set 'centers: \(owner.rawValue)'", length: key.count)
        }
        if classes > clusters.count {
            ctx.error(cl.child("classes") ?? cl.child("count"), ["data", "clusters", "classes"],
                      "'data.clusters.classes' is \(classes) but there are only \(clusters.count) clusters",
                      help: "use classes ≤ count, so that every class has a cluster")
        }
        clusters.centers = centers == .gaussian ? nil : centers
        clusters.centerStd = centers == .gaussian && centerStd != 1 ? centerStd : nil
        clusters.side = centers == .uniform ? side : nil
        clusters.classes = classes == 2 || classes > clusters.count ? nil : classes
    }
}

/// A `train.batch_size` as written: a number of examples, or `full`.
enum BatchSizeValue: NodeDecodable, Equatable {
    case examples(Int)
    case full

    static var expected: String { "an integer or 'full'" }
    static func decode(_ node: Node, path: [String], ctx: DecodeContext) -> BatchSizeValue? {
        if case .scalar(let s) = node, s.string == "full" { return .full }
        if case .scalar(let s) = node, s.isUnquotedNumber, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) {
            return .examples(v)
        }
        typeError(node, path, ctx)
        return nil
    }
}
