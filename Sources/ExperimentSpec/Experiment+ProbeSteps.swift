import Yams

extension Experiment {
    /// Decodes `probe.steps`: global optimizer-step counts at which every probed layer is
    /// recorded, 0 being the untrained network. Duplicates are dropped and the list is sorted.
    ///
    /// Each step must lie within the training the spec asks for: `train.steps` when given,
    /// otherwise `train.epochs` × S, with S = ⌈N / batch_size⌉ steps per epoch over the N training
    /// examples in use (1 for a full batch). With `train.target_loss` that is the longest the run
    /// may take; a step after the run stopped sees the final network, as a late probe epoch does.
    static func decodeProbeSteps(_ p: inout MapReader, train: TrainSpec, trainCount: Int?, ctx: DecodeContext) -> [Int]? {
        let node = p.child("steps")
        guard let steps: [Int] = p.optional("steps") else { return nil }
        let perEpoch = train.stepsPerEpoch(trainCount: trainCount ?? train.batchSize)
        let last = train.steps ?? train.epochs * perEpoch
        let extent = train.steps != nil ? "train.steps" : "\(train.epochs) epoch(s) × \(perEpoch) step(s) per epoch"
        if steps.count > ProbeSpec.maxSteps {
            ctx.error(node, ["probe", "steps"], "'probe.steps' lists \(steps.count) steps; at most \(ProbeSpec.maxSteps) are allowed",
                      help: "probe fewer steps, e.g. on a roughly logarithmic grid such as 0, 10, 20, 50, 100, 200, …")
            return nil
        }
        for (i, s) in steps.enumerated() where s < 0 || s > last {
            let item: Node? = node.flatMap { n in
                if case .sequence(let seq) = n, i < seq.count { return seq[i] } else { return n }
            }
            if s < 0 {
                ctx.error(item, ["probe", "steps"], "probe step \(s) is negative",
                          help: "0 is the untrained network; list steps in 0...\(last)")
            } else {
                ctx.error(item, ["probe", "steps"], "probe step \(s) is beyond the last step (\(last): \(extent))",
                          help: last == 0 ? "only step 0 (the untrained network) exists without training"
                              : "use steps in 0...\(last), or train longer")
            }
        }
        return Array(Set(steps.filter { $0 >= 0 && $0 <= last })).sorted()
    }
}
