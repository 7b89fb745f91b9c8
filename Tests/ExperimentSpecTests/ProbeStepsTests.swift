import Foundation
import Testing
@testable import ExperimentSpec

/// `probe.steps`: what it resolves to, the located errors, and that specs without it keep their keys.
@Suite("Probe steps in the spec")
struct ProbeStepsTests {
    static func load(_ yaml: String, overrides: [String] = []) throws -> [Experiment] {
        try SpecLoader.load(data: Data(yaml.utf8), file: "spec.yaml", defaultName: "s", overrides: overrides).points.map(\.experiment)
    }

    /// The rendered errors of a spec that must fail.
    static func errors(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch let errors as SpecErrors {
            return errors.render().split(separator: "\n").map(String.init)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test("steps are sorted and de-duplicated; alone they replace the default epochs, with epochs both are kept")
    func resolves() throws {
        // 2000 examples at batch 64: 32 steps per epoch, 64 over 2 epochs.
        let alone = try Self.load("data: {train_size: 2000}\ntrain: {epochs: 2}\nprobe: {steps: [50, 0, 5, 50, 64]}\n")[0]
        #expect(alone.probe.steps == [0, 5, 50, 64])
        #expect(alone.probe.epochs == [])
        #expect(alone.summary.contains("probe steps 0,5,50,64 on"))
        let both = try Self.load("data: {train_size: 2000}\ntrain: {epochs: 2}\nprobe: {steps: [5], epochs: [0, 2]}\n")[0]
        #expect(both.probe.steps == [5] && both.probe.epochs == [0, 2])
        let none = try Self.load("data: {train_size: 2000}\ntrain: {epochs: 2}\n")[0]
        #expect(none.probe.steps == nil && none.probe.epochs == [0, 2])
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(none.probe)) as? [String: Any])
        #expect(Set(encoded.keys) == ["epochs", "size", "split", "seed", "layers"])
    }

    @Test("the last step follows train.steps, or epochs × steps per epoch, or one step per epoch for a full batch")
    func bounds() throws {
        #expect(try Self.load("data: {train_size: 2000}\ntrain: {steps: 100}\nprobe: {steps: [100]}\n")[0].probe.steps == [100])
        #expect(try Self.load("data: {train_size: 2000}\ntrain: {epochs: 3, batch_size: full}\nprobe: {steps: [0, 3]}\n")[0].probe.steps == [0, 3])
        #expect(try Self.load("data: {train_size: 2000}\ntrain: {epochs: 0}\nprobe: {steps: [0]}\n")[0].probe.steps == [0])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var yaml: String
        var expected: String
        var help: String
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "beyond epochs × steps per epoch", yaml: "data: {train_size: 2000}\ntrain: {epochs: 2}\nprobe:\n  steps: [0, 65]\n",
             expected: "spec.yaml:4:14: error: probe step 65 is beyond the last step (64: 2 epoch(s) × 32 step(s) per epoch)",
             help: "help: use steps in 0...64, or train longer"),
        Case(id: "beyond train.steps", yaml: "data: {train_size: 2000}\ntrain: {steps: 40}\nprobe:\n  steps: [41]\n",
             expected: "spec.yaml:4:11: error: probe step 41 is beyond the last step (40: train.steps)",
             help: "help: use steps in 0...40, or train longer"),
        Case(id: "beyond a full batch's epochs", yaml: "train: {epochs: 3, batch_size: full}\nprobe:\n  steps: [4]\n",
             expected: "spec.yaml:3:11: error: probe step 4 is beyond the last step (3: 3 epoch(s) × 1 step(s) per epoch)",
             help: "help: use steps in 0...3, or train longer"),
        Case(id: "training of no steps", yaml: "train: {epochs: 0}\nprobe:\n  steps: [0, 1]\n",
             expected: "spec.yaml:3:14: error: probe step 1 is beyond the last step (0: 0 epoch(s) × 938 step(s) per epoch)",
             help: "help: only step 0 (the untrained network) exists without training"),
        Case(id: "negative step", yaml: "probe:\n  steps: [-1, 5]\n",
             expected: "spec.yaml:2:11: error: probe step -1 is negative",
             help: "help: 0 is the untrained network; list steps in 0...938"),
        Case(id: "not a list of integers", yaml: "probe:\n  steps: [a]\n",
             expected: "spec.yaml:2:11: error: 'probe.steps[0]' must be an integer, found 'a'",
             help: ""),
        Case(id: "too many steps", yaml: "train: {epochs: 10}\nprobe:\n  steps: [\((0...1000).map(String.init).joined(separator: ", "))]\n",
             expected: "spec.yaml:3:10: error: 'probe.steps' lists 1001 steps; at most 1000 are allowed",
             help: "help: probe fewer steps, e.g. on a roughly logarithmic grid such as 0, 10, 20, 50, 100, 200, …"),
    ]

    @Test("each bad probe.steps gives its located message", arguments: cases)
    func diagnostic(_ c: Case) {
        let lines = Self.errors(c.yaml)
        #expect(lines.first == c.expected, "\(c.id): \(lines)")
        if !c.help.isEmpty { #expect(lines.contains(c.help), "\(c.id): \(lines)") }
    }
}

extension ProbeStepsTests {
    @Test("smoke mode shrinks step probes to steps 0 and 1, which one short epoch reaches")
    func smoke() throws {
        let yaml = "data: {train_size: 20000}\ntrain: {epochs: 3}\nprobe: {steps: [0, 100, 900]}\n"
        let full = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
        #expect(full.points[0].experiment.probe.steps == [0, 100, 900])
        let overrides = SpecLoader.smokeOverrides(for: full)
        #expect(overrides.contains("probe.steps=[0,1]"))
        let smoke = try Self.load(yaml, overrides: overrides)[0]
        #expect(smoke.probe.steps == [0, 1] && smoke.train.epochs == 1)
        let plain = try SpecLoader.load(data: Data("train: {epochs: 3}\n".utf8), file: "s.yaml", defaultName: "s")
        #expect(!SpecLoader.smokeOverrides(for: plain).contains { $0.hasPrefix("probe.steps") })
    }
}
