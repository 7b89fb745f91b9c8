import ExperimentSpec
import Foundation
import Testing

@Suite("per_class setting")
struct PerClassSpecTests {
    static func load(_ yaml: String) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: "spec.yaml", defaultName: "spec")
    }

    @Test("per_class: true enters the estimator's settings; false or absent leaves them as before")
    func settings() throws {
        let on = try Self.load("probe: {size: 500}\nestimators:\n  twonn: {per_class: true}\n  pr: {per_class: false}\n  mle: {}\n")
        let estimators = on.points[0].experiment.estimators
        #expect(estimators.twonn?["per_class"] == "true")
        #expect(estimators.pr?["per_class"] == nil)
        #expect(estimators.mle?["per_class"] == nil)
        let off = try Self.load("probe: {size: 500}\nestimators:\n  twonn: {}\n  pr: {}\n  mle: {}\n")
        #expect(off.points[0].experiment.estimators.pr == estimators.pr)
        #expect(off.points[0].experiment.estimators.mle == estimators.mle)
        var twonn = try #require(estimators.twonn)
        twonn["per_class"] = nil
        #expect(off.points[0].experiment.estimators.twonn == twonn)
    }

    @Test("every intrinsic-dimension estimator accepts per_class when each class can be large enough")
    func accepted() throws {
        for name in EstimatorsSpec.perClassEstimators {
            let spec = try Self.load("probe: {size: 2000}\nestimators:\n  \(name): {per_class: true}\n")
            #expect(spec.points[0].experiment.estimators.configured.first?.settings["per_class"] == "true", "\(name)")
        }
    }

    @Test("per_class can be swept")
    func swept() throws {
        let spec = try Self.load("probe: {size: 500}\nestimators:\n  pr: {per_class: {grid: [false, true]}}\n")
        #expect(spec.points.map { $0.experiment.estimators.pr?["per_class"] } == [nil, "true"])
    }
}
