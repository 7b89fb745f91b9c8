import AccordionTestSupport
import Foundation
import Testing
import Yams
@testable import ExperimentSpec

@Suite("JSON Schema mirrors the spec language")
struct SchemaTests {
    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: TestSupport.repositoryRoot.appendingPathComponent("Schemas/experiment.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Dotted key paths of every property in the schema, and those missing a description.
    static func schemaKeys(_ node: [String: Any], prefix: String = "") -> (keys: Set<String>, undocumented: [String]) {
        var keys: Set<String> = [], undocumented: [String] = []
        for (k, v) in node["properties"] as? [String: Any] ?? [:] {
            let path = prefix.isEmpty ? k : "\(prefix).\(k)"
            guard let sub = v as? [String: Any] else { continue }
            keys.insert(path)
            if (sub["description"] as? String)?.isEmpty != false { undocumented.append(path) }
            // A list of mappings (claims) lists its items' keys under the list's own path.
            let nested = schemaKeys((sub["items"] as? [String: Any]).flatMap { $0["properties"] == nil ? nil : $0 } ?? sub, prefix: path)
            keys.formUnion(nested.keys)
            undocumented += nested.undocumented
        }
        return (keys, undocumented)
    }

    @Test("the schema's keys are exactly the keys the Swift decoder reads, each with a description")
    func noDrift() throws {
        let (keys, undocumented) = Self.schemaKeys(try Self.schema())
        let swiftKeys = SpecLoader.keyPaths()
        #expect(keys.subtracting(swiftKeys).sorted() == [], "in the schema, not read by the decoder")
        #expect(swiftKeys.subtracting(keys).sorted() == [], "read by the decoder, missing from the schema")
        #expect(undocumented == [])
        #expect(swiftKeys.count > 30)
    }

    static var experiments: [URL] {
        let dir = TestSupport.repositoryRoot.appendingPathComponent("Experiments")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test("every spec in Experiments/ validates against the Swift types and the JSON Schema")
    func experimentsValidate() throws {
        let validator = JSONSchemaValidator(root: try Self.schema())
        #expect(!Self.experiments.isEmpty)
        for url in Self.experiments {
            #expect(throws: Never.self, "\(url.lastPathComponent)") { _ = try SpecLoader.load(path: url.path) }
            let value = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)))
            #expect(validator.validate(value) == [], "\(url.lastPathComponent)")
        }
    }

    @Test("the schema validator rejects what the decoder rejects", arguments: [
        "train: {lr: -1}", "modle: {}", "model: {activation: relux}", "model: {width: {grid: []}}", "train: {epochs: 1.5}", "probe: {steps: [-1]}",
        "name: \"x$(touch y)z\"", "name: .hidden", "name: {grid: [a, b]}", "execution: {jobs: {grid: [1, 2]}}",
    ])
    func validatorCatches(_ yaml: String) throws {
        let validator = JSONSchemaValidator(root: try Self.schema())
        let value = try #require(try Yams.load(yaml: yaml))
        #expect(!validator.validate(value).isEmpty)
        #expect(throws: SpecErrors.self) { _ = try SpecLoader.load(data: Data(yaml.utf8), file: "x.yaml", defaultName: "x") }
    }
}
