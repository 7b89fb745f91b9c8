import AccordionTestSupport
import Foundation
import Testing

/// CIFAR-10 is not available offline, so the ResNet experiment's CIFAR variant runs here on a
/// generated file in the CIFAR-10 binary format: the override its header documents works.
@Suite("The ResNet experiment on a CIFAR-10-format directory")
struct CIFARExperimentTests {
    @Test("resnet-fashion.yaml with data.dataset=cifar10 runs in smoke mode to a verified bundle of 32×32×3 inputs")
    func resnetOnCIFAR() throws {
        let data = try CIFARFixtures.writeCIFAR10(perBatch: 60, test: 120)
        let results = TestSupport.temporaryDirectory("cifar-results")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: results)
        }
        let spec = TestSupport.repositoryRoot.appendingPathComponent("Experiments/resnet-fashion.yaml").path
        let run = try TestSupport.runAccordion(["run", "--smoke", "--results", results.path, spec,
                                                "data.dataset=cifar10", "data.path=\(data.path)", "data.train_size=300", "data.test_size=120", "probe.size=100", "train.noise_batches=0"])
        #expect(run.status == 0, "\(run.output)")
        let bundle = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("bundle: ") }).dropFirst(8)
        let verify = try TestSupport.runAccordion(["verify", String(bundle)])
        #expect(verify.status == 0, "\(verify.output)")
        // The input layer of a CIFAR image is 3 × 32 × 32 = 3,072 values per point.
        let table = try String(contentsOfFile: "\(bundle)/results.csv", encoding: .utf8)
        let input = table.split(separator: "\n").filter { $0.contains(",input,") }
        #expect(!input.isEmpty && input.allSatisfy { $0.contains(",3072,") }, "\(input.prefix(2))")
    }
}
