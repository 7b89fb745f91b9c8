import Foundation
import Testing
@testable import Reports

@Suite("Scales, ticks and number formats")
struct ScaleTests {
    struct Range: CustomTestStringConvertible, Sendable {
        let lower: Double
        let upper: Double
        var testDescription: String { "[\(lower), \(upper)]" }
    }

    @Test("nice ticks enclose the data on steps of 1, 2 or 5 × 10^k", arguments: [
        Range(lower: 0.13, upper: 0.87), Range(lower: 0.3, upper: 0.3), Range(lower: 0, upper: 0),
        Range(lower: -3.2, upper: 41.7), Range(lower: 1e-9, upper: 6e8), Range(lower: 12.34, upper: 12.3400001),
        Range(lower: -5, upper: -4.99), Range(lower: 0.1, upper: 0.7),
    ])
    func linearTicks(_ r: Range) {
        let ticks = Ticks.linear(lower: r.lower, upper: r.upper)
        #expect(ticks.domain.0 <= r.lower && ticks.domain.1 >= r.upper)
        #expect(ticks.domain.1 > ticks.domain.0)
        #expect(ticks.ticks.count >= 2 && ticks.ticks.count <= 12)
        let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
        #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 })
        #expect(ticks.ticks.first == ticks.domain.0 && ticks.ticks.last == ticks.domain.1)
        let labels = ticks.ticks.map { Ticks.label($0, step: ticks.step) }
        #expect(Set(labels).count == labels.count, "labels repeat: \(labels)")
    }

    @Test("a single value gets room on both sides")
    func degenerate() {
        let ticks = Ticks.linear(lower: 7, upper: 7)
        #expect(ticks.domain.0 < 7 && ticks.domain.1 > 7)
        #expect(Ticks.linear(lower: 0, upper: 0).domain == (-1, 1))
    }

    @Test("log ticks are decades, with 2 and 5 between them over short spans")
    func logTicks() {
        let short = Ticks.log(lower: 0.0002, upper: 0.009).ticks
        let expected = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2]
        #expect(short.count == expected.count)
        #expect(zip(short, expected).allSatisfy { abs($0 / $1 - 1) < 1e-12 })
        #expect(Ticks.log(lower: 0.0002, upper: 0.03).ticks.count == 4)
        let wide = Ticks.log(lower: 3e-7, upper: 0.5)
        #expect(wide.domain.0 == 1e-7 && wide.domain.1 == 1)
        #expect(wide.ticks.count == 8)
    }

    @Test("a scale maps the domain onto the range and inverts")
    func scale() {
        let linear = Scale(kind: .linear, domain: (0, 10), range: (300, 100))
        #expect(linear(0) == 300 && linear(10) == 100 && linear(2.5) == 250)
        #expect(linear.invert(250) == 2.5)
        let log = Scale(kind: .log, domain: (0.01, 100), range: (0, 400))
        #expect(abs(log(1) - 200) < 1e-9)
        #expect(abs(log.invert(300) - 10) < 1e-9)
    }

    @Test("numbers format without NaN, minus zero or locale separators")
    func formats() {
        #expect(Format.fixed(-0.0001, decimals: 2) == "0.00")
        #expect(Format.fixed(1234.5, decimals: 1) == "1234.5")
        #expect(Format.fixed(.nan, decimals: 2) == "—")
        #expect(Format.coordinate(12.3456) == "12.35")
        #expect(Format.coordinate(3.0) == "3")
        #expect(Format.coordinate(-0.001) == "0")
        #expect(Format.measurement(12.345, error: 0.5) == "12.35 ± 0.50")
        #expect(Format.measurement(nil) == "—")
        #expect(Format.percent(0.8766) == "87.7 %")
        #expect(Ticks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(Ticks.label(-0.0, step: 1) == "0")
        #expect(Ticks.label(4e8, step: 1e8) == "4e+08")
        #expect(Ticks.label(1.5e8, step: 5e7) == "1.5e+08")
        #expect(Ticks.label(12.34000002, step: 2e-8) == "12.34000002")
    }

    @Test("notes wrap at spaces to the available width, keeping every word")
    func wrap() {
        let note = "failed: train[width=1024,lr=0.1,seed=1]; last probed epoch 2"
        let lines = Style.wrap(note, width: 260, size: 12)
        #expect(lines.count == 2)
        #expect(lines.joined(separator: " ") == note)
        #expect(lines.allSatisfy { Style.textWidth($0, size: 12) <= 260 })
        #expect(Style.wrap("short", width: 260, size: 12) == ["short"])
        #expect(Style.wrap("", width: 10, size: 12) == [""])
    }

    @Test("XML escaping covers the five entities and drops forbidden characters")
    func escaping() {
        #expect(XML.escape("<a href='x'>&\"\u{1}\t") == "&lt;a href=&apos;x&apos;&gt;&amp;&quot;\t")
        #expect(XML.escape("ρ ± σ") == "ρ ± σ")
    }
}
