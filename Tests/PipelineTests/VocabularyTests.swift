import Datasets
import Dimensionality
import ExperimentSpec
import Testing

/// Names the spec and the engine each keep must agree, or a user reads one spelling and the
/// other rejects it.
@Suite("Shared vocabulary")
struct VocabularyTests {
    @Test("accordion datasets lists every manifold kind by the name a spec uses")
    func manifoldKinds() {
        #expect(DataCatalog.manifoldSources.map(\.name) == ManifoldKind.allCases.map(\.rawValue))
    }

    @Test("the spec accepts exactly the estimators the engine runs")
    func estimatorNames() {
        #expect(Set(EstimatorsSpec.order) == Set(IDEstimator.names))
    }
}
