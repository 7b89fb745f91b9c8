import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

/// The errors `yaml` gives, rendered; records an issue when it loads.
func specErrors(_ yaml: String, overrides: [String] = [], limits: SpecLimits = SpecLimits(),
                sourceLocation: Testing.SourceLocation = #_sourceLocation) -> SpecErrors? {
    do {
        _ = try SpecLoader.load(data: Data(yaml.utf8), file: "h.yaml", defaultName: "h", overrides: overrides, limits: limits)
        Issue.record("expected errors for:\n\(yaml)", sourceLocation: sourceLocation)
    } catch let errors as SpecErrors {
        return errors
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

@Suite("Hostile specs: refused quickly, located, never silently accepted")
struct HostileSpecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var yaml: String
        var overrides: [String] = []
        var expected: String
        var help: String? = nil
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "a list as a mapping key", yaml: "model:\n  ? [a, b]\n  : 1\n",
             expected: "h.yaml:2:5: error: a mapping key must be a plain name, found a list"),
        Case(id: "a mapping as a mapping key", yaml: "train:\n  ? {a: 1}\n  : 2\n",
             expected: "h.yaml:2:5: error: a mapping key must be a plain name, found a mapping"),
        Case(id: "a double-quoted integer", yaml: "model:\n  width: \"64\"\n",
             expected: "h.yaml:2:10: error: 'model.width' must be an integer, found the string '64' (quoted or tagged !!str, so not a number)"),
        Case(id: "a !!str integer", yaml: "model:\n  width: !!str 64\n",
             expected: "h.yaml:2:10: error: 'model.width' must be an integer, found the string '64' (quoted or tagged !!str, so not a number)"),
        Case(id: "a single-quoted integer in an override", yaml: "name: a\n", overrides: ["train.epochs='3'"],
             expected: "override 'train.epochs='3'': error: 'train.epochs' must be an integer, found the string '3' (quoted or tagged !!str, so not a number)"),
        Case(id: "a quoted seed", yaml: "train: {seed: '7'}\n",
             expected: "h.yaml:1:15: error: 'train.seed' must be a non-negative integer, found the string '7' (quoted or tagged !!str, so not a number)"),
        Case(id: "a swept name", yaml: "name: {grid: [a, b]}\n",
             expected: "h.yaml:1:7: error: 'name' cannot be swept: every run point of a spec shares one name (its bundles go to Results/<name>/)"),
        Case(id: "a swept execution key", yaml: "execution:\n  jobs: {grid: [1, 2]}\n",
             expected: "h.yaml:2:9: error: 'execution.jobs' cannot be swept: the executor, jobs and threads apply to the whole run, not to one run point"),
        Case(id: "a swept name from an override", yaml: "name: a\n", overrides: ["name=a,b"],
             expected: "override 'name=a,b': error: 'name' cannot be swept: every run point of a spec shares one name (its bundles go to Results/<name>/)"),
        Case(id: "a null layer name", yaml: "probe:\n  layers: [h1, null]\n",
             expected: "h.yaml:2:16: error: 'probe.layers[1]' must be a string, found null"),
        Case(id: "init_from naming a directory", yaml: "model:\n  init_from: /tmp\n",
             expected: "h.yaml:2:14: error: cannot read the checkpoint '/tmp': it is a directory, not a .safetensors file"),
        Case(id: "a name that runs a command in a shell", yaml: "name: \"x$(touch y)z\"\n",
             expected: "h.yaml:1:7: error: 'name' holds the character '$': bundles go to Results/<name>/",
             help: "help: use letters, digits, '-', '_' and '.' (not first), at most 100 characters, e.g. name: width-sweep"),
        Case(id: "a hidden name", yaml: "name: .secret\n",
             expected: "h.yaml:1:7: error: 'name' must not start with '.': bundles go to Results/<name>/"),
        Case(id: "a name with a space", yaml: "name: a b\n",
             expected: "h.yaml:1:7: error: 'name' holds the character U+0020: bundles go to Results/<name>/"),
        Case(id: "an override that breaks a sweep in the file is blamed", yaml: "train:\n  lr: {grid: [0.1, 0.2]}\n",
             overrides: ["train.lr.zip=[1,2]"],
             expected: "override 'train.lr.zip=[1,2]': error: 'train.lr' must be a number, found a mapping"),
        Case(id: "a tiny learning rate inside (0, 100] names the bound it crosses", yaml: "train:\n  lr: 1e-13\n",
             expected: "h.yaml:2:7: error: 'train.lr' is 1e-13, out of range",
             help: "help: use a value in (0, 100]; the smallest accepted value is 1e-12"),
        Case(id: "a momentum just below one names the bound it crosses", yaml: "train:\n  momentum: 0.9999999\n",
             expected: "h.yaml:2:13: error: 'train.momentum' is 0.9999999, out of range",
             help: "help: use a value in [0, 1); the largest accepted value is 0.999999"),
        Case(id: "a NUL byte is located by line and column", yaml: "name: a\nmodel:\n  width: 6\u{0}4\n",
             expected: "h.yaml:3:11: error: the spec holds a NUL byte, which YAML does not allow (control characters are not allowed)"),
    ]

    @Test("each hostile spec gives its located message", arguments: cases)
    func diagnostic(_ c: Case) {
        guard let errors = specErrors(c.yaml, overrides: c.overrides) else { return }
        let lines = errors.render().split(separator: "\n").map(String.init)
        #expect(lines.first == c.expected, "\(c.id): \(lines)")
        if let help = c.help { #expect(lines.contains(help), "\(c.id): \(lines)") }
    }

    @Test("valid names with dots, dashes and underscores load")
    func goodName() throws {
        let spec = try SpecLoader.load(data: Data("name: run_2.b-c\n".utf8), file: "g.yaml", defaultName: "g")
        #expect(spec.points[0].experiment.name == "run_2.b-c")
        let fromFile = try SpecLoader.load(data: Data("model: {depth: 1}\n".utf8), file: "my spec.yaml", defaultName: "my spec")
        #expect(fromFile.points[0].experiment.name == "my-spec")
    }

    @Test("invalid UTF-8 is located by line and column, with the line quoted")
    func invalidUTF8() throws {
        let data = Data("name: a\ndescription: caf".utf8) + Data([0xE9]) + Data("\n".utf8)
        do {
            _ = try SpecLoader.load(data: data, file: "u.yaml", defaultName: "u")
            Issue.record("loaded")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines.first == "u.yaml:2:17: error: the spec is not valid UTF-8: byte 0xE9 cannot start or continue a character here")
            #expect(lines[1].hasPrefix(" 2 | description: caf"))
            #expect(lines[2] == "   |                 ^")
        }
    }

    @Test("a CRLF spec keeps the source line and caret")
    func crlf() throws {
        let errors = try #require(specErrors("name: a\r\ntrain:\r\n  learning_rat: 0.01\r\n"))
        let lines = errors.render().split(separator: "\n").map(String.init)
        #expect(lines[0] == "h.yaml:3:3: error: unknown key 'learning_rat' in 'train'")
        #expect(lines[1] == " 3 |   learning_rat: 0.01")
        #expect(lines[2] == "   |   ^~~~~~~~~~~~")
    }

    @Test("an alias bomb is refused within a second, located")
    func aliasBomb() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "name: bomb\n"
        var errors: SpecErrors?
        let t = seconds { errors = specErrors(yaml) }
        #expect(t < 1.5, "took \(t) s")
        let first = try #require(errors?.render().split(separator: "\n").first.map(String.init))
        #expect(first.hasPrefix("h.yaml:"), "\(first)")
        #expect(first.hasSuffix("error: the spec expands to more than 250000 YAML nodes (aliases such as *name are expanded in full)"), "\(first)")
    }

    @Test("a grid of 10^6 and one of 10^12 run points are refused before expanding, naming the limit")
    func tooManyPoints() throws {
        func grid(_ n: Int) -> String { "{grid: [" + (1...n).map(String.init).joined(separator: ", ") + "]}" }
        let million = "train:\n  seed: \(grid(10))\ndata:\n  seed: \(grid(10))\nprobe:\n  seed: \(grid(10_000))\n"
        let trillion = "train:\n  seed: \(grid(1000))\ndata:\n  seed: \(grid(1000))\nprobe:\n  seed: \(grid(1000))\n"
            + "model:\n  width: \(grid(1000))\n"
        for (yaml, product) in [(million, "10 (train.seed) × 10 (data.seed) × 10000 (probe.seed)"),
                                (trillion, "1000 (train.seed) × 1000 (data.seed) × 1000 (probe.seed) × 1000 (model.width)")] {
            var errors: SpecErrors?
            let t = seconds { errors = specErrors(yaml) }
            #expect(t < 3, "took \(t) s")
            let text = errors?.render() ?? ""
            #expect(text.contains("error: the sweeps expand to more than 100000 run points: \(product)"), "\(text)")
            #expect(text.contains("help: sweep fewer values, or raise the limit with ACCORDION_MAX_RUN_POINTS=<count> if you mean it"), "\(text)")
        }
    }

    // Debug builds run this code about ten times slower than release, where 10^5 points take
    // about 4 s on the development machine: 10^4 here keeps the test quick but still fails
    // for a quadratic expansion.
    @Test("10^4 run points expand in seconds, and the limit refuses one point more")
    func largeGrid() throws {
        let yaml = "train:\n  seed: {grid: [" + (0..<10).map(String.init).joined(separator: ", ") + "]}\n"
            + "data:\n  seed: {grid: [" + (0..<1000).map(String.init).joined(separator: ", ") + "]}\n"
        var count = 0
        let t = try seconds {
            count = try SpecLoader.load(data: Data(yaml.utf8), file: "g.yaml", defaultName: "g").points.count
        }
        #expect(count == 10_000)
        #expect(t < 20, "took \(t) s")
        let tighter = SpecLimits(runPoints: 9_999)
        #expect(throws: SpecErrors.self) {
            _ = try SpecLoader.load(data: Data(yaml.utf8), file: "g.yaml", defaultName: "g", limits: tighter)
        }
    }

    @Test("30,000 errors are found quickly and the printed ones are capped, counting the rest")
    func manyErrors() throws {
        let yaml = (0..<30_000).map { "k\($0): 1" }.joined(separator: "\n") + "\n"
        var errors: SpecErrors?
        let t = seconds { errors = specErrors(yaml) }
        #expect(t < 10, "took \(t) s")
        let e = try #require(errors)
        #expect(e.diagnostics.count == 30_000)
        let lines = e.render().split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(": error: ") }.count == 50)
        #expect(lines.suffix(2) == ["… 29950 more errors not shown", "30000 errors in h.yaml"])
    }
}
