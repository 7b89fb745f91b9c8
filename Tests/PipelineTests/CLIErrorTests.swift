import AccordionTestSupport
import Foundation
import Testing

@Suite("The CLI renders every error in words and exits 2 on user errors")
struct CLIErrorTests {
    @Test("usage errors exit 2, as the docs say, not 64", arguments: [
        ["run", "--no-such-flag", "x.yaml"], ["validate"], ["estimate"], ["no-such-command"], ["plan", "a.yaml", "--jobs"],
    ])
    func usage(_ arguments: [String]) throws {
        let r = try TestSupport.runAccordion(arguments)
        #expect(r.status == 2, "\(arguments): \(r.status) \(r.output)")
        #expect(r.output.contains("Usage:") || r.output.contains("Error:"), "\(r.output)")
    }

    @Test("--help and --version still exit 0")
    func help() throws {
        #expect(try TestSupport.runAccordion(["--help"]).status == 0)
        #expect(try TestSupport.runAccordion(["--version"]).status == 0)
    }

    @Test("files that are directories, missing or hostile are named with what is wrong, never a Foundation dump")
    func files() throws {
        let dir = TestSupport.temporaryDirectory("cli-errors")
        let npy = dir.appendingPathComponent("neg.npy")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (-5, 3), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        try (Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8) + Data(count: 60)).write(to: npy)
        let st = dir.appendingPathComponent("huge.safetensors")
        try (Data(repeating: 0xFF, count: 8) + Data("{}".utf8)).write(to: st)
        let cases: [([String], String)] = [
            (["estimate", dir.path], "\(dir.path): cannot read: it is a directory, not a file"),
            (["estimate", npy.path], "\(npy.path): corrupt .npy header: shape (-5, 3) has the extent '-5'"),
            (["estimate", st.path], "\(st.path): not a valid safetensors file: header length 18446744073709551615 exceeds"),
            (["validate", dir.path], "\(dir.path): error: cannot read the spec: it is a directory"),
            (["estimate", npy.path, "--estimator", "local_pca:k=9223372036854775807"], "corrupt .npy header"),
        ]
        for (arguments, says) in cases {
            let r = try TestSupport.runAccordion(arguments)
            #expect(r.status == 2, "\(arguments): \(r.status) \(r.output)")
            #expect(r.output.contains(says), "\(arguments): \(r.output)")
            #expect(!r.output.contains("Error Domain=") && !r.output.contains("DecodingError"), "\(r.output)")
        }
    }

    @Test("a spec whose init_from is a hostile checkpoint fails validation or its stage, never the process")
    func hostileInitFrom() throws {
        let dir = TestSupport.temporaryDirectory("init-from")
        let ckpt = dir.appendingPathComponent("bad.safetensors")
        let json = #"{"0.weight":{"dtype":"F32","shape":[-5,3],"data_offsets":[0,60]}}"#
        try (Data([UInt8(json.utf8.count), 0, 0, 0, 0, 0, 0, 0]) + Data(json.utf8) + Data(count: 60)).write(to: ckpt)
        let spec = try TestSupport.writeSpec("""
        name: initfrom
        data: {dataset: manifold, manifold: {kind: hypercube, dimension: 2, ambient: 4, train_points: 100, test_points: 50}}
        model: {depth: 1, width: 4, init_from: \(ckpt.path)}
        train: {epochs: 1}
        probe: {size: 20}

        """)
        let r = try TestSupport.runAccordion(["run", spec.path, "--results", dir.appendingPathComponent("R").path])
        #expect(r.status == 1 || r.status == 2, "\(r.status): \(r.output)")
        #expect(r.output.contains("bad.safetensors"), "\(r.output)")
        #expect(!r.output.contains("Fatal error") && !r.output.contains("Illegal instruction"), "\(r.output)")
    }
}
