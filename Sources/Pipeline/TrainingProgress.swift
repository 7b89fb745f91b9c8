import Foundation

/// Where a train stage's in-epoch progress goes, and at most how often.
///
/// Each report is a ``TrainingUpdate`` keyed by the stage's key, so a live display routes it to
/// the stage it is about without reading names out of text; a plain log takes its ``TrainingUpdate/line``.
public struct TrainingProgress: Sendable {
    public var interval: Double
    public var update: @Sendable (TrainingUpdate) -> Void

    /// Progress as typed updates.
    public init(interval: Double, update: @escaping @Sendable (TrainingUpdate) -> Void) {
        self.interval = interval
        self.update = update
    }

    /// Progress as lines of text (``TrainingUpdate/line``), for a log.
    public init(interval: Double, report: @escaping @Sendable (String) -> Void) {
        self.init(interval: interval, update: { report($0.line) })
    }
}

/// Where a train stage is within its epochs: `epoch 3/10 step 120/937 loss 0.4123, 3012 samples/s`.
public struct TrainingUpdate: Sendable, Equatable {
    /// The train stage's key, as its ``StageEvent``s name it.
    public var key: String
    public var name: String
    public var epoch: Int
    public var epochs: Int
    /// Optimizer steps taken in this epoch, of `steps`.
    public var step: Int
    public var steps: Int
    /// The mean training loss over the epoch's steps so far.
    public var loss: Double
    public var samplesPerSecond: Int

    public init(key: String, name: String, epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double,
                samplesPerSecond: Int) {
        self.key = key
        self.name = name
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.steps = steps
        self.loss = loss
        self.samplesPerSecond = samplesPerSecond
    }

    /// `epoch 3/10 step 120/937 loss 0.4123, 3012 samples/s`: what a status block shows after the name.
    public var detail: String {
        "epoch \(epoch)/\(epochs) step \(step)/\(steps) loss \(String(format: "%.4f", loss)), \(samplesPerSecond) samples/s"
    }

    /// `  train[width=512] epoch 3/10 …`: the line a log shows.
    public var line: String { "  \(name) \(detail)" }
}
