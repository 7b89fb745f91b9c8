import AccordionTestSupport
import ExperimentSpec
import Foundation
import ResultBundles
import Testing
@testable import Pipeline

/// Training progress travels keyed by its stage, beside the stage events, never by name in text.
@Suite("Training progress routing")
struct ProgressRoutingTests {
    /// The stage events and progress updates of a run, in the order they arrived.
    final class Timeline: @unchecked Sendable {
        enum Entry { case event(StageEvent), update(TrainingUpdate) }
        private let lock = NSLock()
        private var list: [Entry] = []
        func add(_ entry: Entry) { lock.lock(); list.append(entry); lock.unlock() }
        var entries: [Entry] { lock.lock(); defer { lock.unlock() }; return list }
    }

    @Test("every update names, by key, a train stage that has started and not yet ended, with its epoch and step in range")
    func updatesFollowTheirStage() throws {
        let yaml = """
            name: progress
            data: {dataset: manifold, manifold: {kind: hypercube, dimension: 3, ambient: 10, train_points: 200, test_points: 100}}
            model: {depth: 1, width: {grid: [8, 80]}}
            train: {epochs: 2, batch_size: 50}
            probe: {epochs: [2], size: 100, split: train}
            estimators: {pr: {}}
            """
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "progress.yaml", defaultName: "progress")
        let timeline = Timeline()
        let options = RunOptions(resultsDirectory: TestSupport.temporaryDirectory("progress-routing"), jobs: 2,
                                 progress: TrainingProgress(interval: 0, update: { timeline.add(.update($0)) }),
                                 log: { _ in }, stageEvents: { timeline.add(.event($0)) })
        _ = try Runner.run(spec, options: options)

        var trains: [String: String] = [:]
        var running: Set<String> = []
        var updates: [TrainingUpdate] = []
        for entry in timeline.entries {
            switch entry {
            case .event(.planned(let stages, _)):
                for s in stages where s.kind == .train { trains[s.key] = s.name }
            case .event(.started(let key)): running.insert(key)
            case .event(.ended(let key, _)): running.remove(key)
            case .event(.finished): break
            case .update(let u):
                #expect(trains[u.key] == u.name, "\(u.name) is not a planned train stage under \(u.key)")
                #expect(running.contains(u.key), "\(u.name) reported progress while not running")
                #expect((1...2).contains(u.epoch) && u.epochs == 2 && (1...u.steps).contains(u.step) && u.steps == 4, "\(u)")
                updates.append(u)
            }
        }
        #expect(trains.count == 2)
        // Both stages report every step of both epochs: 2 × 4 each.
        #expect(Dictionary(grouping: updates, by: \.key).mapValues(\.count) == trains.mapValues { _ in 8 })
    }
}
