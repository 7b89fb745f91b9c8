import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

/// Malformed specs and the exact first diagnostic each produces.
@Suite("Spec diagnostics")
struct DiagnosticsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var yaml: String
        var overrides: [String] = []
        /// The first rendered error line, in full.
        var expected: String
        var help: String? = nil
        var testDescription: String { id }
    }

    static let cases: [Case] = [
        Case(id: "unknown top-level key", yaml: "name: a\nmodle:\n  depth: 2\n",
             expected: "spec.yaml:2:1: error: unknown key 'modle' at the top level", help: "help: did you mean 'model'?"),
        Case(id: "unknown nested key", yaml: "train:\n  learning_rat: 0.1\n",
             expected: "spec.yaml:2:3: error: unknown key 'learning_rat' in 'train'"),
        Case(id: "typo in train key", yaml: "train:\n  batchsize: 32\n",
             expected: "spec.yaml:2:3: error: unknown key 'batchsize' in 'train'", help: "help: did you mean 'batch_size'?"),
        Case(id: "wrong type for integer", yaml: "train:\n  epochs: two\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' must be an integer, found 'two'"),
        Case(id: "wrong type for number", yaml: "train:\n  lr: fast\n",
             expected: "spec.yaml:2:7: error: 'train.lr' must be a number, found 'fast'"),
        Case(id: "quoted number is a string", yaml: "train:\n  lr: \"0.1\"\n",
             expected: "spec.yaml:2:7: error: 'train.lr' must be a number, found '0.1'"),
        Case(id: "mapping where a scalar belongs", yaml: "train:\n  epochs: {a: 1}\n",
             expected: "spec.yaml:2:11: error: 'train.epochs' must be an integer, found a mapping"),
        Case(id: "section that is not a mapping", yaml: "train: 5\n",
             expected: "spec.yaml:1:8: error: 'train' must be a mapping of keys to values"),
        Case(id: "negative learning rate", yaml: "train:\n  lr: -0.1\n",
             expected: "spec.yaml:2:7: error: 'train.lr' is -0.1, out of range", help: "help: use a value in (0, 100]"),
        Case(id: "zero batch size", yaml: "train:\n  batch_size: 0\n",
             expected: "spec.yaml:2:15: error: 'train.batch_size' is 0, out of range", help: "help: use a value in 1...65536"),
        Case(id: "momentum of one", yaml: "train:\n  momentum: 1\n",
             expected: "spec.yaml:2:13: error: 'train.momentum' is 1.0, out of range"),
        Case(id: "unknown enum value", yaml: "train:\n  optimizer: sgdd\n",
             expected: "spec.yaml:2:14: error: unknown value 'sgdd' for 'train.optimizer'",
             help: "help: did you mean 'sgd'? (expected one of: sgd, adam, adamw)"),
        Case(id: "unknown activation", yaml: "model:\n  activation: relux\n",
             expected: "spec.yaml:2:15: error: unknown value 'relux' for 'model.activation'"),
        Case(id: "probe epoch beyond the last", yaml: "train:\n  epochs: 2\nprobe:\n  epochs: [0, 5]\n",
             expected: "spec.yaml:4:15: error: probe epoch 5 is beyond the last epoch (2)"),
        Case(id: "layer that does not exist", yaml: "model:\n  depth: 2\nprobe:\n  layers: [h1, h7]\n",
             expected: "spec.yaml:4:16: error: no layer named 'h7' in this model"),
        Case(id: "probe larger than the split", yaml: "data:\n  test_size: 100\nprobe:\n  size: 500\n",
             expected: "spec.yaml:4:9: error: probe size 500 exceeds the 100 test examples in use"),
        Case(id: "unknown estimator", yaml: "estimators:\n  prr: {}\n",
             expected: "spec.yaml:2:3: error: unknown key 'prr' in 'estimators'", help: "help: did you mean 'pr'?"),
        Case(id: "tab indentation", yaml: "train:\n\tepochs: 1\n",
             expected: "spec.yaml:2:1: error: tab character in indentation"),
        Case(id: "unclosed flow sequence", yaml: "probe:\n  epochs: [0, 1\n",
             expected: "spec.yaml:3:1: error: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
        Case(id: "duplicate key", yaml: "train:\n  lr: 0.1\n  lr: 0.2\n",
             expected: "spec.yaml:3:3: error: duplicate key 'lr'"),
        Case(id: "empty file", yaml: "", expected: "spec.yaml: error: the spec is empty"),
        Case(id: "only comments", yaml: "# nothing\n", expected: "spec.yaml: error: the spec is empty"),
        Case(id: "top level is a list", yaml: "- a\n- b\n",
             expected: "spec.yaml:1:1: error: the spec must be a mapping of keys (name, data, model, train, …) to values"),
        Case(id: "empty sweep", yaml: "model:\n  width: {grid: []}\n",
             expected: "spec.yaml:2:10: error: empty sweep for 'model.width'"),
        Case(id: "sweep that is not a list", yaml: "model:\n  width: {grid: 64}\n",
             expected: "spec.yaml:2:17: error: 'grid' sweep of 'model.width' must be a list of values"),
        Case(id: "bad value inside a sweep", yaml: "model:\n  width: {grid: [64, wide]}\n",
             expected: "spec.yaml:2:22: error: 'model.width' must be an integer, found 'wide'"),
        Case(id: "zip sweeps of different lengths", yaml: "train:\n  lr: {zip: [0.1, 0.2]}\n  batch_size: {zip: [32]}\n",
             expected: "spec.yaml:2:7: error: zip sweeps must have equal lengths: 'train.lr' has 2 values"),
        Case(id: "override without =", yaml: "name: a\n", overrides: ["train.lr"],
             expected: "override 'train.lr': error: an override must look like key.path=value"),
        Case(id: "override with a bad type", yaml: "name: a\n", overrides: ["train.lr=abc"],
             expected: "override 'train.lr=abc': error: 'train.lr' must be a number, found 'abc'"),
        Case(id: "override of an unknown key", yaml: "name: a\n", overrides: ["train.lrr=0.1"],
             expected: "override 'train.lrr=0.1': error: unknown key 'lrr' in 'train'"),
        Case(id: "override sweep with an empty item", yaml: "name: a\n", overrides: ["model.width=64,,128"],
             expected: "override 'model.width=64,,128': error: cannot parse the value '64,,128'"),
        Case(id: "widths with depth", yaml: "model:\n  depth: 2\n  widths: [10, 20]\n",
             expected: "spec.yaml:3:3: error: 'model.widths' cannot be combined with 'model.depth' or 'model.width'"),
    ]

    @Test("each malformed spec gives its located message", arguments: cases)
    func diagnostic(_ c: Case) {
        do {
            _ = try SpecLoader.load(data: Data(c.yaml.utf8), file: "spec.yaml", defaultName: "spec", overrides: c.overrides)
            Issue.record("\(c.id): expected errors")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines.first == c.expected, "\(c.id)")
            if let help = c.help { #expect(lines.contains(help), "\(c.id): \(lines)") }
        } catch {
            Issue.record("\(c.id): unexpected \(error)")
        }
    }

    @Test("all errors in a file are reported together, in source order")
    func collected() throws {
        let yaml = "modle: {}\ntrain:\n  lr: fast\n  epochs: -1\n"
        do {
            _ = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
            Issue.record("expected errors")
        } catch let errors as SpecErrors {
            #expect(errors.diagnostics.count == 3)
            let text = errors.render()
            #expect(text.contains("s.yaml:1:1: error: unknown key 'modle'"))
            #expect(text.contains("s.yaml:3:7: error: 'train.lr' must be a number"))
            #expect(text.contains("s.yaml:4:11: error: 'train.epochs' is -1, out of range"))
            #expect(text.hasSuffix("3 errors in s.yaml"))
        }
    }

    @Test("the source line is quoted with a caret under the offending token")
    func caret() {
        do {
            _ = try SpecLoader.load(data: Data("train:\n  learning_rat: 0.01\n".utf8), file: "e.yaml", defaultName: "e")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines[1] == " 2 |   learning_rat: 0.01")
            #expect(lines[2] == "   |   ^~~~~~~~~~~~")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a non-UTF-8 file and a 10 MB file are rejected without crashing")
    func hostileFiles() {
        for (id, data, expected) in [
            ("latin-1", Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0x0A]), "not valid UTF-8 (first bad byte at offset 6)"),
            ("10 MB", Data(repeating: 0x61, count: 10 << 20), "specs are limited to"),
        ] {
            do {
                _ = try SpecLoader.load(data: data, file: "x.yaml", defaultName: "x")
                Issue.record("\(id): expected an error")
            } catch let errors as SpecErrors {
                #expect(errors.render().contains(expected), "\(id)")
            } catch {
                Issue.record("\(id): unexpected \(error)")
            }
        }
    }
}
