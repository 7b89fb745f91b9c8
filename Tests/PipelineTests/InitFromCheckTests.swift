import AccordionTestSupport
import ExperimentSpec
import Foundation
import NeuralNets
import Testing
@testable import Pipeline

/// `model.init_from` is read against the model it initialises before anything runs.
@Suite("init_from is checked by validate and plan")
struct InitFromCheckTests {
    /// A checkpoint of a 784 → width → width → 10 MLP, as a train stage would write it.
    static func checkpoint(width: Int, in dir: URL) throws -> URL {
        let yaml = "name: w\nmodel: {depth: 2, width: \(width)}\n"
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "w.yaml", defaultName: "w")
        let net = try ModelFactory.build(spec.points[0].experiment.model, features: 784, classes: 10, imageShape: nil, seed: 3)
        let url = dir.appendingPathComponent("w\(width).safetensors")
        try net.saveCheckpoint(to: url, metadata: [:])
        return url
    }

    @Test("a checkpoint of another width is a located error naming the tensor that does not fit; the right one passes")
    func shapes() throws {
        let dir = TestSupport.temporaryDirectory("init-from")
        let narrow = try Self.checkpoint(width: 16, in: dir)
        let spec = dir.appendingPathComponent("spec.yaml")
        try "name: init\nmodel:\n  depth: 2\n  width: 32\n  init_from: \(narrow.path)\n".write(to: spec, atomically: true, encoding: .utf8)
        for command in [["validate", spec.path], ["plan", spec.path]] {
            let r = try TestSupport.runAccordion(command)
            #expect(r.status == 2, "\(command): \(r.output)")
            #expect(r.output.contains("\(spec.path):5:14: error: 'model.init_from' does not fit"), "\(r.output)")
            #expect(r.output.contains("shape"), "\(r.output)")
        }
        // The width the checkpoint was written for passes.
        let fits = dir.appendingPathComponent("fits.yaml")
        try "name: init\nmodel:\n  depth: 2\n  width: 16\n  init_from: \(narrow.path)\n".write(to: fits, atomically: true, encoding: .utf8)
        let good = try TestSupport.runAccordion(["validate", fits.path])
        #expect(good.status == 0, "\(good.output)")
        // An override that changes the model is blamed, not the file.
        let widened = try TestSupport.runAccordion(["plan", fits.path, "model.width=64"])
        #expect(widened.status == 2, "\(widened.output)")
        #expect(widened.output.contains("\(fits.path):5:14: error: 'model.init_from' does not fit the model"), "\(widened.output)")
    }
}
