import Datasets
import Dimensionality
import EstimatorVocabulary
import ExperimentSpec
import Foundation
import Testing

/// Names the spec and the engine each keep must agree, or a user reads one spelling and the
/// other rejects it.
@Suite("Shared vocabulary")
struct VocabularyTests {
    @Test("accordion datasets lists every manifold kind by the name a spec uses")
    func manifoldKinds() {
        #expect(DataCatalog.manifoldSources.map(\.name) == ManifoldKind.allCases.map(\.rawValue))
    }

    @Test("the spec accepts exactly the estimators the engine runs, those of the catalog")
    func estimatorNames() {
        #expect(EstimatorsSpec.order == EstimatorCatalog.names)
        #expect(IDEstimator.names == EstimatorCatalog.names)
        #expect(EstimatorCatalog.names.count == 8)
    }

    typealias Entry = EstimatorCatalog.Entry

    /// The settings of `entry` that both the spec and the engine read (`per_class` is the
    /// pipeline's, `seed` the pipeline's too).
    static func settings(_ entry: Entry) -> [AnySetting] {
        entry.settings + (entry.resamples.map { [.integer($0), .number(EstimatorCatalog.Common.resampleFraction),
                                                  .flag(EstimatorCatalog.Common.blocks)] } ?? [])
    }

    /// Settings that `setting` needs beside it: the Fukunaga–Olsen `alpha` applies to `rule: fo`.
    static func context(_ entry: Entry, _ setting: AnySetting) -> [String: String] {
        let s = EstimatorCatalog.Spectrum.self
        return setting.key == s.alpha.key && entry.keys.contains(s.rule.key) ? [s.rule.key: s.foRule] : [:]
    }

    /// The settings text the spec hands the engine for `estimators: {name: settings}`, or the
    /// spec's error messages.
    static func spec(_ name: String, _ settings: [String: String]) -> (settings: [String: String]?, errors: [String]) {
        let body = settings.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        do {
            let loaded = try SpecLoader.load(data: Data("estimators:\n  \(name): {\(body)}\n".utf8), file: "v.yaml", defaultName: "v")
            return (loaded.points.first?.experiment.estimators.configured.first { $0.name == name }?.settings, [])
        } catch let e as SpecErrors {
            return (nil, e.diagnostics.map(\.message))
        } catch {
            return (nil, ["\(error)"])
        }
    }

    /// A setting's value as text: both front ends read numbers, words and booleans this way.
    static func same(_ text: String?, _ setting: AnySetting) -> Bool {
        guard let text else { return false }
        switch setting {
        case .integer(let s): return Int(text) == s.defaultValue
        case .number(let s): return Double(text) == s.defaultValue
        case .numberOrWord(let s): return text == s.word
        case .flag(let s): return text == String(s.defaultValue)
        case .choice(let s): return text == s.defaultValue
        }
    }

    @Test("the spec's defaults are the catalog's, and the engine reads them as its own defaults",
          arguments: EstimatorCatalog.names)
    func defaults(_ name: String) throws {
        let entry = try #require(EstimatorCatalog.entry(name))
        let fromSpec = try #require(Self.spec(entry.name, [:]).settings)
        #expect(try IDEstimator.named(entry.name, settings: fromSpec) == IDEstimator.named(entry.name))
        for setting in Self.settings(entry) {
            let context = Self.context(entry, setting)
            let engine = try IDEstimator.named(entry.name, settings: context).settings
            #expect(Self.same(engine[setting.key], setting), "engine default of \(entry.name).\(setting.key)")
            let spec = try #require(Self.spec(entry.name, context).settings)
            // The spec leaves out `rule` at its default, so estimate stages keep earlier keys.
            if spec[setting.key] != nil || setting.key != EstimatorCatalog.Spectrum.rule.key {
                #expect(Self.same(spec[setting.key], setting), "spec default of \(entry.name).\(setting.key)")
            }
        }
    }

    /// Values at, just inside and just outside each bound of a numeric setting, with whether
    /// the catalog allows them.
    static func probes(_ setting: AnySetting) -> [(text: String, allowed: Bool)] {
        func around(_ range: Interval) -> [(String, Bool)] {
            let step = (range.upper - range.lower) / 1000
            return [range.lower, range.upper, range.lower + step, range.upper - step, range.lower - step, range.upper + step]
                .map { ($0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : "\($0)", range.contains($0)) }
        }
        switch setting {
        case .integer(let s):
            let r = s.range
            return [r.lowerBound - 1, r.lowerBound, r.upperBound, r.upperBound + 1].map { (String($0), r.contains($0)) }
        case .number(let s): return around(s.range)
        case .numberOrWord(let s): return around(s.range)
        case .flag, .choice: return []
        }
    }

    @Test("the spec and the engine accept and reject the same values at every bound of the catalog",
          arguments: EstimatorCatalog.names)
    func ranges(_ name: String) throws {
        let entry = try #require(EstimatorCatalog.entry(name))
        for setting in Self.settings(entry) {
            for (text, allowed) in Self.probes(setting) {
                let given = Self.context(entry, setting).merging([setting.key: text]) { $1 }
                let id = "\(entry.name).\(setting.key) = \(text)"
                let spec = Self.spec(entry.name, given)
                let specRejects = spec.errors.contains { $0.contains("'estimators.\(entry.name).\(setting.key)' is") && $0.contains("out of range") }
                #expect(specRejects == !allowed, "spec on \(id): \(spec.errors)")
                #expect(!spec.errors.contains { $0.contains("unknown key") }, "spec on \(id): \(spec.errors)")
                var engineError = ""
                do { _ = try IDEstimator.named(entry.name, settings: given) } catch { engineError = "\(error)" }
                #expect(engineError.hasPrefix("\(entry.name): \(setting.key) = ") == !allowed, "engine on \(id): \(engineError)")
                // A value both accept reaches the engine unchanged through the spec.
                if allowed, let settings = spec.settings {
                    let engine = try IDEstimator.named(entry.name, settings: settings).settings
                    #expect(Double(engine[setting.key] ?? "") == Double(text), "spec to engine on \(id)")
                }
            }
        }
    }

    @Test("the spec and the engine accept every choice of the catalog and nothing else",
          arguments: EstimatorCatalog.names)
    func choices(_ name: String) throws {
        let entry = try #require(EstimatorCatalog.entry(name))
        for case .choice(let setting) in Self.settings(entry) {
            for word in setting.choices + ["nonsense"] {
                let allowed = word != "nonsense"
                let spec = Self.spec(entry.name, [setting.key: word])
                #expect((spec.settings == nil) == !allowed, "spec on \(entry.name).\(setting.key) = \(word): \(spec.errors)")
                #expect((try? IDEstimator.named(entry.name, settings: [setting.key: word])) != nil || !allowed,
                        "engine on \(entry.name).\(setting.key) = \(word)")
                #expect((try? IDEstimator.named(entry.name, settings: [setting.key: word])) == nil || allowed)
            }
        }
    }
}
