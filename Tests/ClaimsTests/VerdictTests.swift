import Foundation
import Testing
@testable import Claims
import ExperimentSpec

/// Each claim kind on synthetic results whose truth is known: one claim per verdict.
@Suite("Verdicts on synthetic results of known truth")
struct VerdictTests {
    static func evaluate(_ claims: [ClaimSpec], _ data: ClaimData) -> [String: ClaimResult] {
        Dictionary(uniqueKeysWithValues: ClaimEvaluator.evaluate(claims, data: data).map { ($0.id, $0) })
    }

    /// Training halves h3's ID (30 → 15, replicate noise 1); h1 does not change.
    static var compression: ClaimData {
        var s = Synthetic(seed: 7)
        s.add(replicates: 5, noise: 1) { layer, epoch in
            switch layer {
            case "h3": return epoch == 0 ? 30 : 15
            case "h1": return 20
            default: return 10
            }
        }
        return s.data
    }

    @Test("cells: supported, contradicted, inconclusive, not testable")
    func cells() throws {
        var notTestable = ClaimSpec.cells("missing", .decrease)
        notTestable.estimator = "twonn"
        let r = Self.evaluate([.cells("compresses", .decrease), .cells("expands", .increase), .cells("h1", .decrease, layer: "h1"),
                               notTestable, .cells("huge", .decrease, minEffect: 100)], Self.compression)
        let supported = try #require(r["compresses"])
        #expect(supported.verdict == .supported, "\(supported.reason)")
        #expect(abs((supported.effect ?? 0) + 15) < 2 && supported.n == 5)
        #expect((supported.ciLow ?? 0) < (supported.effect ?? 0) && (supported.effect ?? 0) < (supported.ciHigh ?? 0))
        #expect(supported.restsOn.layers == ["h3"] && supported.restsOn.epochs == [3, 0])
        #expect(r["expands"]?.verdict == .contradicted)
        #expect(r["h1"]?.verdict == .inconclusive)
        #expect(r["missing"]?.verdict == .notTestable)
        #expect(r["missing"]?.reason == "no twonn estimate of h3 at epoch 3 in configuration 'base'")
        #expect(r["huge"]?.verdict == .inconclusive)
        #expect(r["huge"]?.reason.contains("not min_effect 100") == true)
        // Holm adjusts over the four testable claims: p_holm ≥ p, and it is left out for the fifth.
        #expect(r.values.filter { $0.pHolm != nil }.count == 4)
        #expect(r.values.allSatisfy { ($0.pHolm ?? 1) >= ($0.p ?? 0) })
    }

    @Test("equivalence (direction: none): the TOST p-value matches scipy, and each verdict")
    func equivalence() throws {
        // scipy.stats.t: max(1 − F((d̄ + m)/se), F((d̄ − m)/se)) with ν = 4, m = 0.5.
        let t = try #require(TTest.paired([0.1, -0.2, 0.3, 0.0, -0.1]))
        #expect(abs(t.equivalenceP(margin: 0.5) - 0.002528794437172564) < 1e-10)
        #expect(TTest.paired([1, 1, 1])?.equivalenceP(margin: 2) == 0)
        #expect(TTest.paired([1, 1, 1])?.equivalenceP(margin: 0.5) == 1)

        func none(_ id: String, layer: String, margin: Double) -> ClaimSpec {
            var c = ClaimSpec.cells(id, .unchanged, layer: layer)
            c.margin = margin
            return c
        }
        // h1 does not change (20 → 20, noise 1); h3 halves (30 → 15).
        let r = Self.evaluate([none("flat", layer: "h1", margin: 3), none("moves", layer: "h3", margin: 3),
                               none("tight", layer: "h1", margin: 0.2)], Self.compression)
        let flat = try #require(r["flat"])
        #expect(flat.verdict == .supported, "\(flat.reason)")
        #expect(flat.expected == "none" && flat.margin == 3 && flat.method.contains("two one-sided tests within ±3"))
        #expect((flat.ciLow ?? -9) > -3 && (flat.ciHigh ?? 9) < 3)
        #expect(r["moves"]?.verdict == .contradicted)
        #expect(r["moves"]?.reason.contains("lies entirely beyond ±3") == true)
        #expect(r["tight"]?.verdict == .inconclusive, "\(r["tight"]?.reason ?? "")")
    }

    @Test("conditions on two keys at once: configurations that differ in both, and only in both")
    func conditionsOnTwoKeys() throws {
        // batch × lr grid; h3's ID depends on lr / batch only: equal at (64, 0.02) and (256, 0.08).
        var s = Synthetic(seed: 11)
        for batch in ["64", "256"] {
            for lr in ["0.02", "0.08"] {
                let ratio = Double(lr)! / Double(batch)!
                s.add(["train.batch_size": batch, "train.lr": lr], replicates: 5, noise: 0.2) { layer, _ in
                    layer == "h3" ? 10 + 20_000 * ratio : 10
                }
            }
        }
        var same = ClaimSpec(id: "same", statement: "s", estimator: "pr", kind: .conditions, direction: .unchanged,
                             cell: CellRef(layer: "h3", epoch: .last), axis: OneOrMore(["train.batch_size", "train.lr"]),
                             treatment: OneOrMore(["256", "0.08"]), control: OneOrMore(["64", "0.02"]))
        same.margin = 1
        var larger = same
        larger.id = "larger"
        larger.direction = .increase
        larger.margin = nil
        larger.treatment = OneOrMore(["64", "0.08"])
        let r = Self.evaluate([same, larger], s.data)
        let eq = try #require(r["same"])
        #expect(eq.verdict == .supported, "\(eq.reason)")
        #expect(eq.restsOn.configurations == ["batch_size=256,lr=0.08", "batch_size=64,lr=0.02"])
        #expect(eq.restsOn.axis == "(train.batch_size, train.lr)" && eq.method.contains("(256, 0.08) − (64, 0.02)"))
        let up = try #require(r["larger"])
        #expect(up.verdict == .supported && abs((up.effect ?? 0) - 20_000 * (0.08 / 64 - 0.02 / 64)) < 0.5, "\(up.reason)")
    }

    @Test("one replicate is not testable, and says why")
    func oneReplicate() {
        var s = Synthetic(seed: 1)
        s.add(replicates: 1, noise: 1) { layer, epoch in layer == "h3" ? (epoch == 0 ? 30 : 15) : 10 }
        let r = ClaimEvaluator.evaluate([.cells("c", .decrease)], data: s.data)
        #expect(r.first?.verdict == .notTestable)
        #expect(r.first?.reason == "needs at least 2 replicates with both cells; found 1")
    }

    static func conditionsClaim(_ id: String, _ direction: ClaimDirection, layer: String = "h3") -> ClaimSpec {
        ClaimSpec(id: id, statement: id, estimator: "pr", kind: .conditions, direction: direction,
                  cell: CellRef(layer: layer, epoch: .last), axis: "data.shuffle_labels", treatment: "train", control: "none")
    }

    @Test("conditions: shuffled labels raise h3's ID, paired by replicate across widths")
    func conditions() {
        var s = Synthetic(seed: 3)
        for width in ["64", "128"] {
            for shuffle in ["none", "train"] {
                s.add(["data.shuffle_labels": shuffle, "model.width": width], replicates: 4, noise: 0.5) { layer, _ in
                    layer == "h3" ? (shuffle == "train" ? 25 : 18) : 10
                }
            }
        }
        let r = Self.evaluate([Self.conditionsClaim("up", .increase), Self.conditionsClaim("down", .decrease),
                               Self.conditionsClaim("flat", .increase, layer: "h1")], s.data)
        #expect(r["up"]?.verdict == .supported)
        #expect(r["up"]?.restsOn.configurations.count == 4 && r["up"]?.n == 4)
        #expect(r["down"]?.verdict == .contradicted)
        #expect(r["flat"]?.verdict == .inconclusive)
        var lone = Synthetic(seed: 3)
        lone.add(["data.shuffle_labels": "none"], replicates: 4, noise: 0.5) { _, _ in 10 }
        let missing = ClaimEvaluator.evaluate([Self.conditionsClaim("up", .increase)], data: lone.data)
        #expect(missing.first?.verdict == .notTestable)
        #expect(missing.first?.reason == "no two configurations differ only in data.shuffle_labels = train vs none")
    }

    static func profileClaim(_ id: String, _ shape: ProfileShape, tail: Int? = nil) -> ClaimSpec {
        ClaimSpec(id: id, statement: id, estimator: "pr", kind: .profile, shape: shape, epoch: .last, tail: tail)
    }

    @Test("profile: a hunchback is an interior peak; a rising profile contradicts it")
    func profile() {
        let hunch: [String: Double] = ["input": 12, "h1": 30, "h2": 26, "h3": 14, "logits": 6]
        let rising: [String: Double] = ["input": 5, "h1": 10, "h2": 15, "h3": 20, "logits": 25]
        let flat: [String: Double] = ["input": 10, "h1": 10, "h2": 10, "h3": 10, "logits": 10]
        func data(_ means: [String: Double]) -> ClaimData {
            var s = Synthetic(seed: 11)
            s.add(replicates: 5, noise: 1) { layer, _ in means[layer] }
            return s.data
        }
        let peak = Self.profileClaim("peak", .interiorPeak), tail = Self.profileClaim("tail", .decreasingTail, tail: 3)
        let h = Self.evaluate([peak, tail], data(hunch))
        #expect(h["peak"]?.verdict == .supported)
        #expect(h["tail"]?.verdict == .supported)
        #expect(abs((h["peak"]?.effect ?? 0) - 18) < 3, "30 − max(12, 6)")
        let r = Self.evaluate([peak, tail], data(rising))
        #expect(r["peak"]?.verdict == .contradicted)
        #expect(r["tail"]?.verdict == .contradicted)
        #expect(Self.evaluate([peak], data(flat))["peak"]?.verdict == .inconclusive)
        var gappy = Synthetic(seed: 11)
        gappy.add(replicates: 5, noise: 1) { layer, _ in layer == "h2" ? nil : 10 }
        let missing = ClaimEvaluator.evaluate([peak], data: gappy.data).first
        #expect(missing?.verdict == .notTestable && missing?.reason == "no pr estimate of h2 at epoch 3 in configuration 'base'")
    }

    static func correlationClaim(_ id: String, _ direction: ClaimDirection, against: String) -> ClaimSpec {
        ClaimSpec(id: id, statement: id, estimator: "pr", kind: .correlation, direction: direction,
                  cell: CellRef(layer: "last_hidden", epoch: .last), against: against)
    }

    @Test("correlation: ID rising with width over six configurations, on their means")
    func correlation() {
        var s = Synthetic(seed: 5)
        for (i, width) in [32, 64, 128, 256, 512, 1024].enumerated() {
            let c = s.add(["model.width": String(width)], replicates: 3, noise: 0.5) { layer, _ in layer == "h3" ? 10 + 3 * Double(i) : 5 }
            s.metric(c, "test_accuracy", replicates: 3, noise: 0.3, mean: 0.8)
        }
        let r = Self.evaluate([Self.correlationClaim("wider", .increase, against: "model.width"),
                               Self.correlationClaim("narrower", .decrease, against: "model.width"),
                               Self.correlationClaim("accuracy", .increase, against: "test_accuracy"),
                               Self.correlationClaim("gap", .increase, against: "generalization_gap")], s.data)
        #expect(r["wider"]?.verdict == .supported)
        #expect(r["wider"]?.effect == 1 && r["wider"]?.n == 6)
        #expect(abs((r["wider"]?.p ?? 0) - 2.0 / 720) < 1e-12)
        #expect(r["narrower"]?.verdict == .contradicted)
        #expect(r["accuracy"]?.verdict == .inconclusive, "accuracy is noise, unrelated to ID")
        #expect(r["gap"]?.verdict == .notTestable)
        #expect(r["gap"]?.reason == "no generalization_gap at epoch 3 in configuration 'width=32'")
    }

    @Test("the same data and seed give identical claims.json bytes; another seed moves only bootstrap bounds")
    func deterministic() throws {
        var s = Synthetic(seed: 5)
        for i in 0..<5 { s.add(["model.width": String(8 << i)], replicates: 3, noise: 2) { layer, _ in layer == "h3" ? Double(i) : 5 } }
        let claims = [Self.correlationClaim("w", .increase, against: "model.width"), .cells("c", .decrease)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let a = try encoder.encode(ClaimEvaluator.evaluate(claims, data: s.data, options: ClaimOptions(seed: 9)))
        let b = try encoder.encode(ClaimEvaluator.evaluate(claims, data: s.data, options: ClaimOptions(seed: 9)))
        #expect(a == b)
        let c = ClaimEvaluator.evaluate(claims, data: s.data, options: ClaimOptions(seed: 10))
        let first = try JSONDecoder().decode([ClaimResult].self, from: a)
        #expect(first[0].effect == c[0].effect && first[0].ciLow != c[0].ciLow)
    }

    @Test("the Markdown table: one row per claim, effect with CI, n and verdict")
    func markdown() {
        let r = ClaimEvaluator.evaluate([.cells("compresses", .decrease), .cells("missing", .decrease, estimator: "mle")],
                                        data: Self.compression)
        let effect = r[0].effect.map(format) ?? "", low = r[0].ciLow.map(format) ?? "", high = r[0].ciHigh.map(format) ?? ""
        #expect(ClaimsTable.markdown(r) == """
            | claim | citation | estimator | effect [95 % CI] | n | p (Holm) | verdict |
            |---|---|---|---|---:|---:|---|
            | **compresses** compresses statement |  | pr | \(effect) [\(low), \(high)] | 5 | \(r[0].pHolm.map(format) ?? "") | supported |
            | **missing** missing statement |  | mle | — | — | — | not testable: no mle estimate of h3 at epoch 3 in configuration 'base' |

            """)
        #expect(format(-15.123456) == "-15.12" && format(0.0028) == "0.0028" && format(123456) == "1.23e+05")
    }

    @Test("the worked example of docs/spec.md: numbers, Holm, verdicts and the Markdown table")
    func workedExample() throws {
        let layers = ["input", "h1", "h2", "h3", "logits"]
        let table: [(h3at0: Double, h3at3: Double, input: Double, h1: Double)] = [
            (31.2, 14.8, 88.0, 95.2), (29.8, 16.9, 87.1, 91.0), (30.5, 15.2, 89.3, 97.8), (32.1, 17.5, 88.4, 88.1), (30.9, 15.6, 87.9, 93.6),
        ]
        var observations: [Observation] = []
        for (r, row) in table.enumerated() {
            for (epoch, layer, value) in [(0, "h3", row.h3at0), (3, "h3", row.h3at3), (3, "input", row.input), (3, "h1", row.h1)] {
                observations.append(Observation(configuration: 0, replicate: r, epoch: epoch, layer: layer,
                                                layerIndex: layers.firstIndex(of: layer) ?? 0, estimator: "pr", value: value))
            }
        }
        let data = ClaimData(configurations: [ClaimConfiguration(index: 0, label: "base", assignments: [:], layerNames: layers,
                                                                 probedLayers: layers, lastEpoch: 3)], observations: observations)
        let compression = ClaimSpec(id: "compression", statement: "Training lowers the last hidden layer's ID", estimator: "pr",
                                    kind: .cells, direction: .decrease, cell: CellRef(layer: "last_hidden", epoch: .last),
                                    baseline: CellRef(layer: "last_hidden", epoch: .number(0)))
        var expansion = ClaimSpec(id: "expansion", statement: "The first hidden layer expands the input", estimator: "pr",
                                  kind: .cells, direction: .increase, cell: CellRef(layer: "h1", epoch: .last),
                                  baseline: CellRef(layer: "input", epoch: .last))
        let r = ClaimEvaluator.evaluate([compression, expansion], data: data)
        #expect(abs((r[0].effect ?? 0) + 14.9) < 1e-9 && abs((r[0].p ?? 0) - 1.3364857440507703e-05) < 1e-15)
        #expect(abs((r[0].ciLow ?? 0) + 16.50217963773881) < 1e-9 && abs((r[0].ciHigh ?? 0) + 13.297820362261191) < 1e-9)
        #expect(abs((r[0].pHolm ?? 0) - 2.6729714881015405e-05) < 1e-15)
        #expect(abs((r[1].p ?? 0) - 0.030910909362778956) < 1e-12 && r[1].pHolm == r[1].p)
        #expect(abs((r[1].ciLow ?? 0) - 0.7492271811372406) < 1e-9 && abs((r[1].ciHigh ?? 0) - 9.250772818862753) < 1e-9)
        #expect(r.map(\.verdict) == [.supported, .supported])
        #expect(ClaimsTable.markdown(r) == """
            | claim | citation | estimator | effect [95 % CI] | n | p (Holm) | verdict |
            |---|---|---|---|---:|---:|---|
            | **compression** Training lowers the last hidden layer's ID |  | pr | -14.9 [-16.5, -13.3] | 5 | 2.67e-05 | supported |
            | **expansion** The first hidden layer expands the input |  | pr | 5 [0.7492, 9.251] | 5 | 0.03091 | supported |

            """)
        expansion.minEffect = 2
        let strict = ClaimEvaluator.evaluate([compression, expansion], data: data)[1]
        #expect(strict.verdict == .inconclusive)
        #expect(strict.reason == "95 % CI [0.7492, 9.251] clears zero but not min_effect 2")
    }

    @Test("profile at a step: the hunchback of the step probes, not the rising profile of the epoch probes")
    func stepProfile() {
        let hunch: [String: Double] = ["input": 12, "h1": 30, "h2": 26, "h3": 14, "logits": 6]
        let rising: [String: Double] = ["input": 5, "h1": 10, "h2": 15, "h3": 20, "logits": 25]
        var s = Synthetic(seed: 11)
        s.add(replicates: 5, noise: 1) { layer, _ in rising[layer] }
        let epochRows = s.data.observations
        // The same replicates probed at step 10 (epoch 1 in progress) have a hunchback.
        let stepRows = epochRows.filter { $0.epoch == 3 }.map { o -> Observation in
            var o = o
            o.epoch = 1
            o.step = 10
            o.value += (hunch[o.layer] ?? 0) - (rising[o.layer] ?? 0)
            return o
        }
        let data = ClaimData(configurations: s.data.configurations, observations: epochRows + stepRows)
        var atStep = Self.profileClaim("step", .interiorPeak)
        (atStep.epoch, atStep.step) = (nil, 10)
        let r = Self.evaluate([atStep, Self.profileClaim("epoch", .interiorPeak)], data)
        #expect(r["step"]?.verdict == .supported && r["step"]?.restsOn.steps == [10])
        #expect(abs((r["step"]?.effect ?? 0) - 18) < 3, "30 − max(12, 6)")
        #expect(r["epoch"]?.verdict == .contradicted && r["epoch"]?.restsOn.steps == nil)
    }

    @Test("a cell that names a step reads the step probes alone: the worked example's numbers at steps 0 and 40")
    func stepCells() throws {
        let layers = ["input", "h1", "h2", "h3", "logits"]
        let h3: [(before: Double, after: Double)] = [(31.2, 14.8), (29.8, 16.9), (30.5, 15.2), (32.1, 17.5), (30.9, 15.6)]
        var observations: [Observation] = []
        for (r, row) in h3.enumerated() {
            // Step 0 is in epoch 0 and step 40 in epoch 1; epoch probes of the same epochs hold other values.
            observations.append(Observation(configuration: 0, replicate: r, epoch: 0, layer: "h3", layerIndex: 3, estimator: "pr",
                                            value: row.before, step: 0))
            observations.append(Observation(configuration: 0, replicate: r, epoch: 1, layer: "h3", layerIndex: 3, estimator: "pr",
                                            value: row.after, step: 40))
            observations.append(Observation(configuration: 0, replicate: r, epoch: 0, layer: "h3", layerIndex: 3, estimator: "pr",
                                            value: row.before))
            observations.append(Observation(configuration: 0, replicate: r, epoch: 1, layer: "h3", layerIndex: 3, estimator: "pr",
                                            value: row.after + 50))
        }
        let data = ClaimData(configurations: [ClaimConfiguration(index: 0, label: "base", assignments: [:], layerNames: layers,
                                                                 probedLayers: layers, lastEpoch: 1)], observations: observations)
        let steps = ClaimSpec(id: "early", statement: "The first 40 steps lower h3's ID", estimator: "pr", kind: .cells,
                              direction: .decrease, cell: CellRef(layer: "last_hidden", step: 40), baseline: CellRef(layer: "h3", step: 0))
        let r = ClaimEvaluator.evaluate([steps], data: data)[0]
        #expect(abs((r.effect ?? 0) + 14.9) < 1e-9 && abs((r.p ?? 0) - 1.3364857440507703e-05) < 1e-15)
        #expect(abs((r.ciLow ?? 0) + 16.50217963773881) < 1e-9 && abs((r.ciHigh ?? 0) + 13.297820362261191) < 1e-9)
        #expect(r.verdict == .supported && r.n == 5)
        #expect(r.restsOn.steps == [40, 0] && r.restsOn.epochs == [] && r.restsOn.layers == ["h3"])
        #expect(ClaimsTable.markdown([r]).contains("| **early** The first 40 steps lower h3's ID (at steps 40, 0) |  | pr | -14.9 [-16.5, -13.3] | 5 | 1.34e-05 | supported |"))
        let json = String(decoding: try JSONEncoder().encode(r.restsOn), as: UTF8.self)
        #expect(json.contains("\"steps\":[40,0]"))
        // The same cells by epoch read the epoch probes, 50 higher after training.
        let epochs = ClaimSpec(id: "epochs", statement: "s", estimator: "pr", kind: .cells, direction: .decrease,
                               cell: CellRef(layer: "h3", epoch: .number(1)), baseline: CellRef(layer: "h3", epoch: .number(0)))
        let e = ClaimEvaluator.evaluate([epochs], data: data)[0]
        #expect(abs((e.effect ?? 0) - 35.1) < 1e-9 && e.verdict == .contradicted && e.restsOn.steps == nil)
        // A step nobody probed is not testable, and says which.
        var missing = steps
        missing.cell = CellRef(layer: "h3", step: 20)
        #expect(ClaimEvaluator.evaluate([missing], data: data)[0].reason == "no pr estimate of h3 at step 20 in configuration 'base'")
    }

    @Test("claim data from a loaded spec: configurations, labels and replicate numbering carried through")
    func fromSpec() throws {
        let yaml = "model: {depth: 2, width: {grid: [8, 16, 32]}}\ntrain: {epochs: 1, seed: 5}\nreplicates: 2\n"
            + "claims:\n  - {id: w, statement: s, estimator: pr, kind: correlation, direction: increase,"
            + " cell: {layer: last_hidden, epoch: last}, against: model.width}\n"
        let spec = try SpecLoader.load(data: Data(yaml.utf8), file: "s.yaml", defaultName: "s")
        let configurations = ClaimData.configurations(of: spec)
        #expect(configurations.map(\.label) == ["width=8", "width=16", "width=32"])
        #expect(configurations.map(\.assignments) == [["model.width": "8"], ["model.width": "16"], ["model.width": "32"]])
        #expect(configurations.allSatisfy { $0.lastEpoch == 1 && $0.layerNames == ["input", "h1", "h2", "logits"] })
        // ID of h2 grows with width; the replicates differ by a little noise.
        let observations = spec.points.map { p in
            Observation(point: p, epoch: 1, layer: "h2", layerIndex: 2, estimator: "pr",
                        value: Double(p.experiment.model.widths[0]) / 4 + Double(p.replicate) * 0.1)
        }
        #expect(observations.map(\.replicate) == [0, 1, 0, 1, 0, 1])
        let r = ClaimEvaluator.evaluate(spec.claims, data: ClaimData(spec: spec, observations: observations))
        #expect(r.first?.effect == 1 && r.first?.n == 3 && r.first?.restsOn.layers == ["h2"])
        // Three configurations cannot reach p < 0.05 with a permutation test: inconclusive, and it says so.
        #expect(r.first?.verdict == .inconclusive)
        #expect(r.first?.reason.hasSuffix("with 3 configurations the permutation p cannot fall below 0.3333") == true)
    }
}
