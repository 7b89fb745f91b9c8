import Foundation
import Yams

/// Bounds that keep a hostile or mistaken spec from hanging or exhausting the machine.
///
/// Each limit is documented in `docs/spec.md`; the run-point limit can be raised with the
/// environment variable `ACCORDION_MAX_RUN_POINTS`.
public struct SpecLimits: Sendable, Equatable {
    /// YAML nodes in the composed tree, counting every alias expansion in full (an alias of an
    /// alias multiplies). A spec without aliases would need a list of a quarter of a million
    /// values to reach it; the largest sweep allowed (``runPoints``) needs far fewer.
    public var nodes: Int
    /// Run points a spec may expand to (the product of the grid axes and the zip length).
    public var runPoints: Int
    /// Diagnostics printed by ``SpecErrors/render()``; the rest are counted, not shown.
    public var printedErrors: Int

    public init(nodes: Int = 250_000, runPoints: Int = 100_000, printedErrors: Int = 50) {
        self.nodes = nodes
        self.runPoints = runPoints
        self.printedErrors = printedErrors
    }

    /// The environment variable that raises (or lowers) ``runPoints``.
    public static let runPointsVariable = "ACCORDION_MAX_RUN_POINTS"

    /// The defaults, with ``runPoints`` taken from `ACCORDION_MAX_RUN_POINTS` when it holds a
    /// positive integer.
    public static var standard: SpecLimits {
        var limits = SpecLimits()
        if let text = ProcessInfo.processInfo.environment[runPointsVariable], let n = Int(text), n > 0 {
            limits.runPoints = n
        }
        return limits
    }
}

/// Walks a composed tree once, counting nodes up to a budget and finding mapping keys that
/// are not plain scalars, so neither an alias bomb nor `? [a, b]` gets further.
struct NodeCensus {
    /// More nodes than the budget: where the walk was when it ran out.
    var exceeded: Node?
    /// Mapping keys that are lists or mappings.
    var complexKeys: [Node] = []

    /// - Complexity: O(min(budget, nodes)) — it stops as soon as the budget is spent.
    init(_ root: Node, budget: Int) {
        var remaining = budget
        // The last node whose mark lies at or after every mark seen before it: an alias repeats
        // earlier marks, so this is the place in the file where the expansion was written.
        var lastInOrder: Node = root
        var furthest = (line: 0, column: 0)
        var stack: [Node] = [root]
        while let node = stack.popLast() {
            remaining -= 1
            if let mark = node.mark, (mark.line, mark.column) >= furthest {
                furthest = (mark.line, mark.column)
                lastInOrder = node
            }
            if remaining < 0 {
                exceeded = lastInOrder
                return
            }
            switch node {
            case .mapping(let m):
                for (key, value) in m.reversed() {
                    if case .scalar = key {} else if complexKeys.count < 100 { complexKeys.append(key) }
                    stack.append(value)
                    stack.append(key)
                }
            case .sequence(let s):
                stack.append(contentsOf: s.reversed())
            case .scalar, .alias:
                break
            }
        }
    }
}

extension SpecLoader {
    /// Refuses trees past the node budget and mappings with non-scalar keys, located.
    static func checkShape(_ root: Node, limits: SpecLimits, ctx: DecodeContext) {
        let census = NodeCensus(root, budget: limits.nodes)
        if let at = census.exceeded {
            ctx.diagnostics.append(Diagnostic(ctx.location(of: at, path: [], length: 1),
                "the spec expands to more than \(limits.nodes) YAML nodes (aliases such as *name are expanded in full)",
                help: "aliases of aliases multiply; write the values out, or nest fewer aliases"))
        }
        for key in census.complexKeys {
            let what = if case .sequence = key { "a list" } else { "a mapping" }
            ctx.diagnostics.append(Diagnostic(ctx.location(of: key, path: [], length: 1),
                "a mapping key must be a plain name, found \(what)",
                help: "write keys as names, e.g. 'width: 64'; '? [a, b]' makes a list into a key"))
        }
    }

    /// The number of run points `axes` expand to, or nil when it exceeds `limit` (checked
    /// without overflow, before anything is expanded).
    static func runPointCount(_ axes: [SweepAxis], limit: Int) -> Int? {
        var count = 1
        var zipSeen = false
        for axis in axes {
            if axis.mode == .zip {
                if zipSeen { continue }
                zipSeen = true
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: axis.values.count)
            guard !overflow, product <= limit else { return nil }
            count = product
        }
        return count
    }

    /// The run-point count as a readable product, e.g. `10 × 10 × 1000 (model.width × …)`.
    static func runPointProduct(_ axes: [SweepAxis]) -> String {
        var factors: [String] = []
        var zipSeen = false
        for axis in axes {
            if axis.mode == .zip {
                if zipSeen { continue }
                zipSeen = true
            }
            factors.append("\(axis.values.count) (\(axis.dottedPath))")
        }
        return factors.joined(separator: " × ")
    }
}
