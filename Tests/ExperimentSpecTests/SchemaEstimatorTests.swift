import AccordionTestSupport
import EstimatorVocabulary
import Foundation
import Testing

/// The schema states each estimator setting's type, range and default for editors; they must be
/// the catalog's, which the spec decoder and the engine both read.
@Suite("JSON Schema states the estimator catalog")
struct SchemaEstimatorTests {
    /// The schema of `estimators.name.key`: its description and its first (non-sweep) alternative.
    static func property(_ name: String, _ key: String) throws -> (description: String, type: [String: Any]) {
        let root = try SchemaTests.schema()
        let estimators = try #require((root["properties"] as? [String: Any])?["estimators"] as? [String: Any])
        let estimator = try #require((estimators["properties"] as? [String: Any])?[name] as? [String: Any], "\(name)")
        let property = try #require((estimator["properties"] as? [String: Any])?[key] as? [String: Any], "\(name).\(key)")
        let alternatives = try #require(property["anyOf"] as? [[String: Any]], "\(name).\(key)")
        return (property["description"] as? String ?? "", alternatives[0])
    }

    /// The schema's bounds of `interval`, as JSON Schema spells open and closed ends.
    static func bounds(_ interval: Interval) -> [String: Double] {
        [interval.lowerClosed ? "minimum" : "exclusiveMinimum": interval.lower,
         interval.upperClosed ? "maximum" : "exclusiveMaximum": interval.upper]
    }

    static func bounds(_ type: [String: Any]) -> [String: Double] {
        ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"].reduce(into: [:]) { out, key in
            if let v = type[key] as? Double { out[key] = v }
        }
    }

    @Test("each estimator setting has the catalog's type, range and default in the schema", arguments: EstimatorCatalog.names)
    func settings(_ name: String) throws {
        let entry = try #require(EstimatorCatalog.entry(name))
        var settings = entry.settings
        if let resamples = entry.resamples {
            settings += [.integer(resamples), .number(EstimatorCatalog.Common.resampleFraction), .flag(EstimatorCatalog.Common.blocks)]
        }
        if entry.perClass { settings.append(.flag(EstimatorCatalog.Common.perClass)) }
        let schemaKeys = try #require(((((try SchemaTests.schema()["properties"] as? [String: Any])?["estimators"] as? [String: Any])?["properties"]
            as? [String: Any])?[name] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(schemaKeys.keys) == Set(settings.map(\.key)), "\(name)")
        for setting in settings {
            let (description, type) = try Self.property(name, setting.key)
            let id = "\(name).\(setting.key)"
            switch setting {
            case .integer(let s):
                #expect(type["type"] as? String == "integer", "\(id)")
                #expect(Self.bounds(type) == ["minimum": Double(s.range.lowerBound), "maximum": Double(s.range.upperBound)], "\(id)")
                #expect(description.contains("default \(s.defaultValue)"), "\(id): \(description)")
            case .number(let s):
                #expect(type["type"] as? String == "number", "\(id)")
                #expect(Self.bounds(type) == Self.bounds(s.range), "\(id)")
                #expect(description.contains("default \(s.defaultValue)"), "\(id): \(description)")
            case .numberOrWord(let s):
                #expect(Self.bounds(type) == Self.bounds(s.range), "\(id)")
                #expect(description.contains("default \(s.word)"), "\(id): \(description)")
            case .flag(let s):
                #expect(type["type"] as? String == "boolean", "\(id)")
                #expect(description.contains("default \(s.defaultValue)"), "\(id): \(description)")
            case .choice(let s):
                #expect(type["enum"] as? [String] == s.choices, "\(id)")
            }
        }
    }
}
