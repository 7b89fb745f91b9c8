import AccordionTestSupport
import Foundation
import Testing
@testable import ExperimentSpec

/// `claims:`: decoding, the resolved form, and one located message per mistake.
@Suite("Claims in the spec")
struct ClaimSpecTests {
    static let header = "model: {depth: 2}\ntrain: {epochs: 2}\nreplicates: 3\nclaims:\n"
    /// A valid cells claim, lines 5–11 of the spec.
    static let cellsClaim = """
          - id: c
            statement: training compresses h2
            estimator: pr
            kind: cells
            cell: {layer: h2, epoch: last}
            baseline: {layer: h2, epoch: 0}
            direction: decrease

        """

    static func load(_ yaml: String) throws -> LoadedSpec {
        try SpecLoader.load(data: Data(yaml.utf8), file: "spec.yaml", defaultName: "spec")
    }

    @Test("every claim kind decodes to its resolved form, which round-trips through JSON")
    func decodes() throws {
        let yaml = """
            model: {width: {grid: [16, 32, 64]}, depth: 3}
            data: {shuffle_labels: {grid: [none, train]}}
            train: {epochs: 2, seed: 4}
            replicates: 2
            estimators: {pr: {}, twonn: {}}
            claims:
              - {id: a, statement: s, citation: "Ansuini et al. 2019", estimator: twonn, kind: cells, direction: decrease,
                 cell: {layer: last_hidden, epoch: last}, baseline: {layer: last_hidden, epoch: 0}, min_effect: 0.5,
                 where: {data.shuffle_labels: none}}
              - {id: b, statement: s, estimator: pr, kind: profile, shape: decreasing_tail, tail: 3}
              - {id: c, statement: s, estimator: pr, kind: correlation, direction: increase,
                 cell: {layer: h1, epoch: 2}, against: model.width}
              - {id: d, statement: s, estimator: pr, kind: conditions, direction: increase,
                 cell: {layer: h3, epoch: last}, axis: data.shuffle_labels, treatment: train, control: none}

            """
        let spec = try Self.load(yaml)
        #expect(spec.claims.map(\.id) == ["a", "b", "c", "d"])
        #expect(spec.claims[0] == ClaimSpec(id: "a", statement: "s", citation: "Ansuini et al. 2019", estimator: "twonn", kind: .cells,
                                            direction: .decrease, minEffect: 0.5, cell: CellRef(layer: "last_hidden", epoch: .last),
                                            baseline: CellRef(layer: "last_hidden", epoch: .number(0)),
                                            filter: ["data.shuffle_labels": "none"]))
        #expect(spec.claims[1].epoch == .last && spec.claims[1].tail == 3)
        #expect(spec.claims[2].against == "model.width" && spec.claims[3].treatment == "train")
        #expect(spec.configurationCount == 6 && spec.replicateCount == 2 && spec.points.count == 12)
        #expect(spec.configurationPaths == ["model.width", "data.shuffle_labels"])
        let data = try JSONEncoder().encode(spec.claims)
        #expect(try JSONDecoder().decode([ClaimSpec].self, from: data) == spec.claims)
        #expect(String(decoding: data, as: UTF8.self).contains("\"where\":{\"data.shuffle_labels\":\"none\"}"))
        #expect(LayerRef.resolve("last_hidden", in: ["input", "h1", "h2", "logits"]) == "h2")
    }

    @Test("a conditions claim on several keys decodes, and a single key still encodes as a string")
    func conditionsOnSeveralKeys() throws {
        let yaml = """
            train: {epochs: 2, lr: {grid: [0.02, 0.08]}, batch_size: {grid: [64, 256]}}
            replicates: 2
            claims:
              - {id: ratio, statement: s, estimator: pr, kind: conditions, direction: none, margin: 1,
                 cell: {layer: last_hidden, epoch: last}, axis: [train.batch_size, train.lr], treatment: [256, 0.08], control: [64, 0.02]}
              - {id: one, statement: s, estimator: pr, kind: conditions, direction: increase,
                 cell: {layer: last_hidden, epoch: last}, axis: train.lr, treatment: 0.08, control: 0.02}

            """
        let spec = try Self.load(yaml)
        #expect(spec.claims[0].axis == OneOrMore(["train.batch_size", "train.lr"]))
        #expect(spec.claims[0].treatment == OneOrMore(["256", "0.08"]) && spec.claims[0].control == OneOrMore(["64", "0.02"]))
        let json = String(decoding: try JSONEncoder().encode(spec.claims), as: UTF8.self)
        #expect(json.contains("\"axis\":[\"train.batch_size\",\"train.lr\"]") && json.contains("\"axis\":\"train.lr\""))
        #expect(try JSONDecoder().decode([ClaimSpec].self, from: Data(json.utf8)) == spec.claims)
    }

    @Test("claims change no run point: the points equal those of the same spec without claims")
    func claimsDoNotTouchPoints() throws {
        let with = try Self.load(Self.header + Self.cellsClaim)
        let without = try Self.load(Self.header)
        #expect(with.points == without.points)
        #expect(with.claims.count == 1 && without.claims.isEmpty)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var yaml: String
        var expected: String
        var help: String
        var testDescription: String { id }
    }

    static func claim(_ replace: String, with: String) -> String { header + cellsClaim.replacingOccurrences(of: replace, with: with) }

    /// ``header`` with step probes (640 images at batch 64: 10 steps per epoch); the claim starts on line 7.
    static let stepHeader = "model: {depth: 2}\ndata: {train_size: 640}\ntrain: {epochs: 2, batch_size: 64}\nprobe: {steps: [0, 5, 10], epochs: [0, 2]}\nreplicates: 3\nclaims:\n"
    static func stepClaim(_ replace: String, with: String) -> String {
        stepHeader + cellsClaim.replacingOccurrences(of: replace, with: with)
    }

    @Test("a cell or a profile may name a probed step instead of an epoch")
    func stepCells() throws {
        let spec = try Self.load(Self.stepClaim("{layer: h2, epoch: 0}", with: "{layer: h2, step: 0}")
            + "  - {id: p, statement: s, estimator: pr, kind: profile, shape: interior_peak, step: 10}\n")
        #expect(spec.claims[0].cell == CellRef(layer: "h2", epoch: .last))
        #expect(spec.claims[0].baseline == CellRef(layer: "h2", step: 0))
        #expect(spec.claims[0].baseline?.epoch == nil)
        #expect(spec.claims[1].step == 10 && spec.claims[1].epoch == nil)
        let data = try JSONEncoder().encode(spec.claims)
        #expect(try JSONDecoder().decode([ClaimSpec].self, from: data) == spec.claims)
        // An epoch cell encodes as before, so existing claims keep their claims-stage key.
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(CellRef(layer: "h2", epoch: .number(0)))) as? [String: Any]
        #expect(encoded?.keys.sorted() == ["epoch", "layer"])
    }

    static let cases: [Case] = [
        Case(id: "unknown layer", yaml: claim("{layer: h2, epoch: last}", with: "{layer: h7, epoch: last}"),
             expected: "spec.yaml:9:19: error: claim 'c': no layer named 'h7' in this model",
             help: "help: did you mean 'h1'? (this model's layers are: input, h1, h2, logits, or last_hidden)"),
        Case(id: "layer not probed", yaml: "probe: {layers: [h1]}\n" + header + cellsClaim,
             expected: "spec.yaml:10:19: error: claim 'c': layer 'h2' is not probed",
             help: "help: add it to probe.layers (probed: h1)"),
        Case(id: "inner layer not probed", yaml: claim("{layer: h2, epoch: last}", with: "{layer: h2.pre, epoch: last}"),
             expected: "spec.yaml:9:19: error: claim 'c': layer 'h2.pre' is not probed",
             help: "help: add it to probe.layers (probed: input, h1, h2, logits)"),
        Case(id: "epoch not probed", yaml: claim("{layer: h2, epoch: 0}", with: "{layer: h2, epoch: 1}"),
             expected: "spec.yaml:10:34: error: claim 'c': epoch 1 is not probed",
             help: "help: probed epochs: 0, 2; add 1 to probe.epochs"),
        Case(id: "step not probed", yaml: stepClaim("{layer: h2, epoch: 0}", with: "{layer: h2, step: 7}"),
             expected: "spec.yaml:12:33: error: claim 'c': step 7 is not probed",
             help: "help: probed steps: 0, 5, 10; add 7 to probe.steps"),
        Case(id: "step in a run without step probes", yaml: claim("{layer: h2, epoch: 0}", with: "{layer: h2, step: 5}"),
             expected: "spec.yaml:10:33: error: claim 'c': step 5 is not probed: this run probes no steps",
             help: "help: add probe.steps: [5] to probe the layers at optimizer step 5"),
        Case(id: "cell with an epoch and a step", yaml: stepClaim("{layer: h2, epoch: 0}", with: "{layer: h2, epoch: 0, step: 5}"),
             expected: "spec.yaml:12:37: error: 'claims[0].baseline' names both an epoch and a step; a cell is one of them",
             help: "help: keep 'epoch' for an epoch probe or 'step' for a probe.steps probe"),
        Case(id: "cell with neither epoch nor step", yaml: claim("{layer: h2, epoch: 0}", with: "{layer: h2}"),
             expected: "spec.yaml:10:15: error: 'claims[0].baseline' has no 'epoch' or 'step'",
             help: "help: write a cell as {layer: last_hidden, epoch: last}, or {layer: h1, step: 40} for a step in probe.steps"),
        Case(id: "epoch in a run that probes steps only",
             yaml: stepHeader.replacingOccurrences(of: ", epochs: [0, 2]", with: "") + cellsClaim,
             expected: "spec.yaml:11:30: error: claim 'c': epoch 2 (the last) is not probed: this run probes steps only",
             help: "help: add probe.epochs: [2], or name a step of probe.steps (0, 5, 10)"),
        Case(id: "profile step not probed",
             yaml: stepHeader + "  - {id: p, statement: s, estimator: pr, kind: profile, shape: interior_peak, step: 6}\n",
             expected: "spec.yaml:7:85: error: claim 'p': step 6 is not probed",
             help: "help: probed steps: 0, 5, 10; add 6 to probe.steps"),
        Case(id: "profile with an epoch and a step",
             yaml: stepHeader + "  - {id: p, statement: s, estimator: pr, kind: profile, shape: interior_peak, epoch: 2, step: 5}\n",
             expected: "spec.yaml:7:89: error: claim 'p': a profile reads one epoch or one step, not both",
             help: "help: remove 'epoch' to read the profile at step 5, or remove 'step'"),
        Case(id: "estimator not configured", yaml: claim("estimator: pr", with: "estimator: twonn"),
             expected: "spec.yaml:7:16: error: claim 'c': estimator 'twonn' is not configured",
             help: "help: configured: pr; add 'twonn: {}' under 'estimators', or claim on one of those"),
        Case(id: "unknown estimator", yaml: claim("estimator: pr", with: "estimator: twonm"),
             expected: "spec.yaml:7:16: error: claim 'c': unknown estimator 'twonm'",
             help: "help: did you mean 'twonn'? (estimators: pr, pca, twonn, mle, local_pca, corrdim, class_geometry, linear_probe)"),
        Case(id: "unknown claim kind", yaml: claim("kind: cells", with: "kind: trend"),
             expected: "spec.yaml:8:11: error: unknown value 'trend' for 'claims[0].kind'",
             help: "help: expected one of: cells, profile, correlation, conditions"),
        Case(id: "axis not swept",
             yaml: header + "  - {id: c, statement: s, estimator: pr, kind: conditions, direction: increase, cell: {layer: h2, epoch: last},\n"
                 + "     axis: data.shuffle_labels, treatment: train, control: none}\n",
             expected: "spec.yaml:6:12: error: claim 'c': 'data.shuffle_labels' is not swept",
             help: "help: nothing is swept in this spec (the replicate seed is not a configuration key)"),
        Case(id: "conditions with fewer values than keys",
             yaml: "train: {epochs: 2, lr: {grid: [0.02, 0.08]}, batch_size: {grid: [64, 256]}}\nreplicates: 2\nclaims:\n"
                 + "  - {id: c, statement: s, estimator: pr, kind: conditions, direction: increase, cell: {layer: h1, epoch: last},\n"
                 + "     axis: [train.batch_size, train.lr], treatment: [256], control: [64, 0.02]}\n",
             expected: "spec.yaml:5:53: error: claim 'c': 'treatment' has 1 value but 'axis' names 2 keys",
             help: "help: give one value per axis key, in the same order: [<train.batch_size>, <train.lr>]"),
        Case(id: "conditions on two keys, one value never taken",
             yaml: "train: {epochs: 2, lr: {grid: [0.02, 0.08]}, batch_size: {grid: [64, 256]}}\nreplicates: 2\nclaims:\n"
                 + "  - {id: c, statement: s, estimator: pr, kind: conditions, direction: increase, cell: {layer: h1, epoch: last},\n"
                 + "     axis: [train.batch_size, train.lr], treatment: [256, 0.08], control: [64, 0.05]}\n",
             expected: "spec.yaml:5:75: error: claim 'c': 'train.lr' never takes the value '0.05'",
             help: "help: its values: 0.02, 0.08"),
        Case(id: "correlation against nothing known",
             yaml: "model: {depth: 2, width: {grid: [8, 16, 32]}}\n" + String(header.dropFirst(18))
                 + "  - {id: c, statement: s, estimator: pr, kind: correlation, direction: increase, cell: {layer: h2, epoch: last},\n"
                 + "     against: accuracy}\n",
             expected: "spec.yaml:6:15: error: claim 'c': 'accuracy' is neither a metric nor a swept key",
             help: "help: metrics: test_accuracy, train_accuracy, test_loss, train_loss, generalization_gap, noise_scale, noise_temperature; swept keys: model.width"),
        Case(id: "key of another kind", yaml: claim("direction: decrease", with: "direction: decrease\n    shape: interior_peak"),
             expected: "spec.yaml:12:5: error: claim 'c': 'shape' applies to profile claims, not cells",
             help: "help: a cells claim reads: cell, baseline, direction, margin"),
        Case(id: "margin without direction none", yaml: claim("direction: decrease", with: "direction: decrease\n    margin: 1"),
             expected: "spec.yaml:12:13: error: claim 'c': 'margin' applies only to 'direction: none'",
             help: "help: use min_effect for the smallest effect that counts as a decrease, or write direction: none"),
        Case(id: "direction none without a margin", yaml: claim("direction: decrease", with: "direction: none"),
             expected: "spec.yaml:5:5: error: claim 'c': a cells claim needs 'margin'",
             help: "help: direction: none claims that the effect lies within ±margin (ID units), e.g. margin: 1.0"),
        Case(id: "margin of zero", yaml: claim("direction: decrease", with: "direction: none\n    margin: 0"),
             expected: "spec.yaml:12:13: error: 'claims[0].margin' is 0.0, out of range",
             help: "help: give the largest change that still counts as none, in ID units, in (0, 1e6], e.g. margin: 1.0"),
        Case(id: "min_effect on direction none", yaml: claim("direction: decrease", with: "direction: none\n    margin: 1\n    min_effect: 1"),
             expected: "spec.yaml:13:17: error: claim 'c': 'min_effect' does not apply to 'direction: none'",
             help: "help: the margin says how large a change still counts as none"),
        Case(id: "direction none on a correlation",
             yaml: "model: {depth: 2, width: {grid: [8, 16, 32]}}\n" + String(header.dropFirst(18))
                 + "  - {id: c, statement: s, estimator: pr, kind: correlation, direction: none, cell: {layer: h2, epoch: last},\n"
                 + "     against: model.width}\n",
             expected: "spec.yaml:5:72: error: claim 'c': 'direction: none' applies to cells and conditions claims, not correlation",
             help: "help: claim a correlation as increase or decrease; test no change as a cells or conditions claim with a margin"),
        Case(id: "tail on an interior peak",
             yaml: header + "  - {id: p, statement: s, estimator: pr, kind: profile, shape: interior_peak, tail: 3}\n",
             expected: "spec.yaml:5:79: error: claim 'p': 'tail' applies to shape decreasing_tail, not interior_peak",
             help: "help: remove it, or set shape: decreasing_tail"),
        Case(id: "tail longer than the profile",
             yaml: header + "  - {id: p, statement: s, estimator: pr, kind: profile, shape: decreasing_tail, tail: 9}\n",
             expected: "spec.yaml:5:87: error: claim 'p': 'tail' is 9 but the profile has 4 layers",
             help: "help: use tail in 2...4"),
        Case(id: "correlation over two configurations",
             yaml: "model: {depth: 2, width: {grid: [8, 16]}}\n" + String(header.dropFirst(18))
                 + "  - {id: c, statement: s, estimator: pr, kind: correlation, direction: increase, cell: {layer: h2, epoch: last},\n"
                 + "     against: model.width}\n",
             expected: "spec.yaml:5:42: error: claim 'c': a correlation needs at least 3 configurations, this claim reads 2",
             help: "help: sweep a key over 3 or more values (replicates do not count: they are averaged)"),
        Case(id: "missing estimator", yaml: claim("    estimator: pr\n", with: ""),
             expected: "spec.yaml:5:5: error: claim 'c' has no 'estimator'",
             help: "help: name the one primary estimator, chosen before the run: one of pr, pca, twonn, mle, local_pca, corrdim, class_geometry, linear_probe"),
        Case(id: "misspelt claim key", yaml: claim("statement:", with: "statment:"),
             expected: "spec.yaml:6:5: error: unknown key 'statment' in 'claims[0]'", help: "help: did you mean 'statement'?"),
        Case(id: "duplicate id", yaml: header + cellsClaim + cellsClaim,
             expected: "spec.yaml:12:9: error: duplicate claim id 'c'", help: "help: claim 0 already uses it; ids must be unique"),
        Case(id: "where on an unswept key", yaml: claim("direction: decrease", with: "direction: decrease\n    where: {model.width: 64}"),
             expected: "spec.yaml:12:26: error: claim 'c': 'where' names 'model.width', which is not swept",
             help: "help: nothing is swept in this spec (the replicate seed is not a configuration key)"),
        Case(id: "claims that are not a list", yaml: header + "  id: c\n",
             expected: "spec.yaml:5:3: error: 'claims' must be a list of claims",
             help: "help: start each claim with '- id: …' on its own line under 'claims:'"),
        Case(id: "swept replicates", yaml: "replicates: {grid: [2, 3]}\n",
             expected: "spec.yaml:1:13: error: 'replicates' cannot be swept",
             help: "help: write one replicate count; replicates are not configurations"),
        Case(id: "replicates with a seed sweep", yaml: "train: {seed: {grid: [1, 2]}}\nreplicates: 3\n",
             expected: "spec.yaml:2:13: error: 'replicates' cannot be combined with a sweep of 'train.seed'",
             help: "help: each value of train.seed's sweep (line 1) is already one replicate: drop 'replicates', or write one seed"),
        Case(id: "probe replicates with a probe.seed sweep", yaml: "probe: {seed: {grid: [1, 2]}}\nreplicates: {train: 2, probe: 3}\n",
             expected: "spec.yaml:2:31: error: 'replicates.probe' cannot be combined with a sweep of 'probe.seed'",
             help: "help: write one probe.seed (line 1); probe replicate q uses probe.seed + q"),
        Case(id: "unknown key in replicates", yaml: "replicates: {train: 2, probes: 3}\n",
             expected: "spec.yaml:1:24: error: unknown key 'probes' in 'replicates'", help: "help: did you mean 'probe'?"),
        Case(id: "zero replicates", yaml: "replicates: 0\n",
             expected: "spec.yaml:1:13: error: 'replicates' is 0, out of range", help: "help: use a value in 1...1000"),
    ]

    @Test("each claim mistake gives its located message", arguments: cases)
    func diagnostic(_ c: Case) {
        do {
            _ = try Self.load(c.yaml)
            Issue.record("\(c.id): expected errors")
        } catch let errors as SpecErrors {
            let lines = errors.render().split(separator: "\n").map(String.init)
            #expect(lines.first == c.expected, "\(c.id): \(lines)")
            #expect(lines.contains(c.help), "\(c.id): \(lines)")
        } catch {
            Issue.record("\(c.id): unexpected \(error)")
        }
    }
}
