import AccordionTestSupport
import ExperimentSpec
import Foundation
import Testing
@testable import Pipeline

/// Runs `/bin/bash` with `arguments` and `environment`; returns status and combined output.
func bash(_ arguments: [String], environment: [String: String] = [:], directory: URL) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = arguments
    p.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
    p.currentDirectoryURL = directory
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Generated Slurm scripts quote every value")
struct SlurmQuotingTests {
    static let hostileNames = ["R$(touch pwned-subst)", "R`touch pwned-backquote`", "R\"quote", "R$HOME-var", "R with spaces",
                               "R'single'", "R;touch pwned-semicolon", "R%A-percent", "R#hash", "R\\back"]

    @Test("single-quoting survives every shell metacharacter")
    func quoting() throws {
        let dir = TestSupport.temporaryDirectory("quote")
        for text in Self.hostileNames + ["", "'", "a\nb"] {
            let r = try bash(["-c", "printf '%s' \(ShellQuoting.quoted(text))"], directory: dir)
            #expect(r.status == 0)
            #expect(r.output == text, "\(text)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("scripts for hostile results paths pass bash -n and, run with a stub accordion, expand and execute nothing",
          arguments: hostileNames)
    func hostileResults(_ hostile: String) throws {
        let work = TestSupport.temporaryDirectory("slurm-quote")
        let results = work.appendingPathComponent(hostile)
        // A stub that records its arguments, one per line, instead of running a stage.
        let stubDir = work.appendingPathComponent("bin dir $(x)")
        try FileManager.default.createDirectory(at: stubDir, withIntermediateDirectories: true)
        let stub = stubDir.appendingPathComponent("accordion")
        try "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"$STUB_OUT\"\n".write(to: stub, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub.path)

        let spec = try SpecLoader.load(data: Data("name: q\nmodel: {depth: 1, width: 4}\n".utf8), file: "q.yaml", defaultName: "q")
        let graph = try StageGraph.compile(spec)
        let store = StageStore(root: results.appendingPathComponent(".store"))
        let plan = SlurmPlan.make(graph: graph, store: store, results: results, runID: "run-1", executable: stub.path,
                                  options: SlurmOptions(partition: "p $(touch pwned-partition)", time: "00:10:00"))
        try plan.write()
        #expect(!plan.jobs.isEmpty)
        for job in plan.jobs {
            let check = try bash(["-n", job.scriptURL.path], directory: work)
            #expect(check.status == 0, "\(hostile): \(check.output)\n\(job.script)")
            // No line outside a quoted word may carry the hostile text.
            #expect(!job.script.contains("#SBATCH --partition"), "\(job.script)")
            #expect(job.sbatchArguments.contains("--partition=p $(touch pwned-partition)"))
            let out = work.appendingPathComponent("args-\(job.name).txt")
            let run = try bash([job.scriptURL.path], environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_JOB_ID": "42",
                                                                   "STUB_OUT": out.path], directory: work)
            #expect(run.status == 0, "\(hostile): \(run.output)\n\(job.script)")
            let args = try String(contentsOf: out, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(args.prefix(6) == ["stage", "exec", job.keys[0], "--results", results.path, "--threads"], "\(args)")
            #expect(args.contains(results.path + "/.slurm/run-1/logs/\(job.name)-42_0.out"), "\(args)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix("pwned") }
        #expect(left.isEmpty, "a command ran: \(left)")
    }
}
