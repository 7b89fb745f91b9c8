import AccordionTestSupport
import Foundation
import Testing
@testable import ResultBundles

/// `metrics.jsonl` lines of every format version read back, so committed bundles stay readable.
@Suite("Epoch metrics across format versions")
struct MetricsCompatibilityTests {
    @Test("a line written before evaluated training figures reads, its gradient_noise as the noise trace")
    func legacyLine() throws {
        let line = #"{"epoch":1,"gradient_noise":1.864576027181189,"seconds":2.0879080295562744,"test_accuracy":0.8412,"test_loss":0.444234055518587,"train_accuracy":0.81265,"train_loss":0.5225673510892855}"#
        let e = try JSONDecoder().decode(EpochMetrics.self, from: Data(line.utf8))
        #expect(e.epoch == 1 && e.gradientNoise == 1.864576027181189 && e.trainLoss == 0.5225673510892855)
        #expect(e.trainLossEval == nil && e.noiseTemperature == nil && e.steps == nil && e.targetReached == nil)
        #expect(e.trainLossBest == 0.5225673510892855 && e.trainAccuracyBest == 0.81265)
    }

    @Test("a current line round-trips, with the noise under grad_noise_trace")
    func roundTrip() throws {
        let e = EpochMetrics(epoch: 0, trainLoss: nil, trainAccuracy: nil, testLoss: 2.3, testAccuracy: 0.1, seconds: 0,
                             gradientNoise: 0.5, trainLossEval: 2.31, trainAccuracyEval: 0.09, noiseTemperature: 0.005,
                             learningRate: 0.01, steps: 0, targetReached: false)
        let text = try MetricsLog.render([e])
        #expect(text.contains(#""grad_noise_trace":0.5"#) && !text.contains("gradient_noise") && !text.contains(#""train_loss":"#))
        #expect(try JSONDecoder().decode(EpochMetrics.self, from: Data(text.utf8)) == e)
    }

    @Test("every committed bundle's metrics and aggregate still read")
    func committedBundles() throws {
        let results = TestSupport.repositoryRoot.appendingPathComponent("Results")
        let files = (FileManager.default.enumerator(atPath: results.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix("metrics.jsonl") || $0.hasSuffix("aggregate.json") }
        #expect(!files.isEmpty)
        var noise = 0
        for file in files {
            let url = results.appendingPathComponent(file)
            if file.hasSuffix("metrics.jsonl") {
                // Runs of zero epochs (the manifolds) wrote an empty file.
                let epochs = try MetricsLog.read(from: url.deletingLastPathComponent())
                noise += epochs.filter { $0.gradientNoise != nil && $0.trainLoss != nil }.count
            } else {
                _ = try AggregateRecord.read(from: url.deletingLastPathComponent())
            }
        }
        #expect(noise > 0, "the legacy gradient_noise values are read")
    }
}
