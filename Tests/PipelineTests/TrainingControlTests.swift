import AccordionTestSupport
import Foundation
import ResultBundles
import Testing
@testable import ExperimentSpec
@testable import Pipeline

/// Full-batch training, fixed step counts, target losses, evaluated training figures and the
/// memorisation control, end to end through the train stage and the aggregate.
@Suite("Training controls end to end", .serialized)
struct TrainingControlTests {
    /// 8 clusters of 25 training points in R^20: 200 training examples, 80 test examples.
    static let clusters = """
        data:
          dataset: clusters
          clusters: {ambient: 20, count: 8, std: 0.3, train_per_cluster: 25, test_per_cluster: 10}
        model: {depth: 2, width: 32}
        probe: {size: 40}
        """

    static func run(_ yaml: String) throws -> (RunSummary, [String]) {
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "t.yaml", defaultName: "t")
        let results = TestSupport.temporaryDirectory("training-controls")
        defer { try? FileManager.default.removeItem(at: results) }
        let summary = try Runner.run(spec, options: RunOptions(resultsDirectory: results, jobs: 1, log: { _ in }))
        let csv = try String(contentsOf: summary.bundle.appendingPathComponent(BundleLayout.metricsFile), encoding: .utf8)
        return (summary, csv.split(separator: "\n").map(String.init))
    }

    @Test("the same number of steps with and without minibatch noise; full batch has exactly zero noise")
    func fullBatchAgainstMinibatches() throws {
        let (summary, csv) = try Self.run(Self.clusters + "\ntrain:\n  momentum: 0\n  lr: 0.05\n  batch_size: {grid: [full, 50]}\n  steps: 10\n  noise_batches: 8\n")
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let full = try #require(summary.metrics[0]), mini = try #require(summary.metrics[1])
        // Full batch: one step per epoch, so 10 epochs. Batch 50 on 200 points: 4 steps per epoch,
        // so 3 epochs, the last with 2 steps.
        #expect(full.map(\.epoch) == Array(0...10) && full.map(\.steps) == (0...10).map { $0 })
        #expect(mini.map(\.epoch) == [0, 1, 2, 3] && mini.map(\.steps) == [0, 4, 8, 10])
        #expect(full.allSatisfy { $0.gradientNoise == 0 && $0.noiseTemperature == 0 })
        for e in mini {
            let trace = try #require(e.gradientNoise)
            #expect(trace > 0)
            #expect(e.learningRate == 0.05 && e.noiseTemperature == 0.05 * trace)
        }
        // Epoch 0 is the untrained network, evaluated; the same for both (same seed, same init).
        #expect(full[0].trainLoss == nil && full[0].trainAccuracy == nil && full[0].seconds == 0)
        #expect(full[0].trainLossEval != nil && full[0].trainLossEval == mini[0].trainLossEval)
        #expect(full[0].testAccuracy == mini[0].testAccuracy)
        // With one step per epoch the running loss is the loss before that epoch's step, i.e.
        // the evaluated loss after the previous epoch.
        for (before, after) in zip(full, full.dropFirst()) {
            let running = try #require(after.trainLoss), evaluated = try #require(before.trainLossEval)
            #expect(abs(running - evaluated) <= 1e-5 * max(1, evaluated))
        }
        #expect(try #require(full.last?.trainLossEval) < full[0].trainLossEval!)

        #expect(csv[0] == "point,label,configuration,replicate,train.batch_size," + AggregateRecord.metricColumns.joined(separator: ","))
        #expect(csv.count == 1 + 11 + 4)
        let columns = csv[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let trace = try #require(columns.firstIndex(of: "grad_noise_trace"))
        let fullRows = csv.dropFirst().filter { $0.hasPrefix("0,") }
        #expect(fullRows.count == 11 && fullRows.allSatisfy {
            $0.split(separator: ",", omittingEmptySubsequences: false)[trace] == "0.0"
        })
    }

    @Test("a target loss stops training at the first epoch that reaches it; later probes see the final network")
    func targetLoss() throws {
        let (summary, csv) = try Self.run(Self.clusters + "\ntrain:\n  optimizer: adam\n  lr: 0.01\n  batch_size: 20\n  epochs: 60\n  target_loss: 0.2\n  noise_batches: 0\n")
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let epochs = try #require(summary.metrics[0])
        let last = try #require(epochs.last)
        #expect(last.targetReached == true && last.epoch < 60, "stopped after epoch \(last.epoch)")
        #expect(try #require(last.trainLossEval) <= 0.2)
        #expect(epochs.dropLast().allSatisfy { $0.targetReached == false && $0.trainLossEval! > 0.2 })
        #expect(epochs.allSatisfy { $0.gradientNoise == nil && $0.noiseTemperature == nil })
        // The probe at epoch 60 ran, on the network as training left it.
        #expect(Set(summary.rows.map(\.epoch)) == [0, 60])
        #expect(csv.last?.split(separator: ",", omittingEmptySubsequences: false).contains("true") == true)
    }

    /// Zhang et al. (2017): a network with enough parameters fits random labels. 200 training
    /// images with every label shuffled, so nothing carries over to the test set.
    @Test("memorisation: shuffled training labels are fitted (evaluated) while test accuracy stays at chance",
          .enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")))
    func memorisation() throws {
        let yaml = """
            data: {train_size: 200, test_size: 500, subset: stratified, shuffle_labels: train, shuffle_fraction: 1}
            model: {widths: [512]}
            train: {optimizer: adam, lr: 0.002, batch_size: 50, epochs: 40, noise_batches: 0}
            probe: {epochs: [0], size: 50}
            """
        let (summary, _) = try Self.run(yaml)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        let epochs = try #require(summary.metrics[0])
        let first = epochs[0], last = try #require(epochs.last)
        #expect(try #require(first.trainAccuracyEval) < 0.3)
        #expect(try #require(last.trainAccuracyEval) >= 0.97, "train accuracy \(last.trainAccuracyEval ?? .nan)")
        #expect(last.testAccuracy < 0.2, "test accuracy \(last.testAccuracy) on 10 classes")
    }
}
