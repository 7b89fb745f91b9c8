import Yams
import Foundation

/// One step in a path through a YAML tree: a mapping key or a list index.
enum PathStep: Equatable, CustomStringConvertible {
    case key(String)
    case index(Int)
    var description: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return "[\(i)]"
        }
    }
}

/// How a sweep axis combines with the others.
public enum SweepMode: String, Sendable, Codable {
    /// Cartesian product with every other axis.
    case grid
    /// Varies in lock-step with the other `zip` axes (all must have the same length).
    case zip
}

/// A scalar written as `{grid: [...]}` or `{zip: [...]}`.
struct SweepAxis {
    var path: [PathStep]
    var mode: SweepMode
    var values: [Node]
    /// The `{grid: …}` node itself, for locating errors.
    var node: Node

    var dottedPath: String { path.map(\.description).joined(separator: ".").replacingOccurrences(of: ".[", with: "[") }
    var stringPath: [String] { path.map(\.description) }
}

extension Node {
    /// The sweep mapping's mode and values if this node is `{grid: …}` or `{zip: …}`.
    var sweep: (SweepMode, Node)? {
        guard case .mapping(let m) = self, m.count == 1, let key = m.keys.first?.string,
              let mode = SweepMode(rawValue: key), let value = m.values.first else { return nil }
        return (mode, value)
    }

    /// A copy with the node at `path` replaced (missing mappings on the way are created).
    func replacing(at path: ArraySlice<PathStep>, with value: Node) -> Node {
        guard let step = path.first else { return value }
        switch (self, step) {
        case (.mapping(var m), .key(let k)):
            if let i = m.firstIndex(where: { $0.key.scalarText == k }) {
                let pairs = m.enumerated().map { j, pair in
                    (pair.key, j == m.distance(from: m.startIndex, to: i) ? pair.value.replacing(at: path.dropFirst(), with: value) : pair.value)
                }
                m = Node.Mapping(pairs, m.tag, m.style, m.mark)
                return .mapping(m)
            }
            var pairs = m.map { ($0.key, $0.value) }
            pairs.append((Node(k), Node([(Node, Node)]()).replacing(at: path.dropFirst(), with: value)))
            return .mapping(Node.Mapping(pairs, m.tag, m.style, m.mark))
        case (.sequence(let s), .index(let i)) where i < s.count:
            var items = Array(s)
            items[i] = items[i].replacing(at: path.dropFirst(), with: value)
            return .sequence(Node.Sequence(items, s.tag, s.style, s.mark))
        default:
            // A scalar (or null) in the way of an override: replace it with a fresh mapping.
            return Node([(Node, Node)]()).replacing(at: path, with: value)
        }
    }
}

/// Finds every sweep in a tree, depth first, in document order.
func findSweeps(_ node: Node, path: [PathStep] = [], ctx: DecodeContext) -> [SweepAxis] {
    if let (mode, values) = node.sweep {
        let stringPath = path.map(\.description)
        guard case .sequence(let seq) = values else {
            ctx.error(values, stringPath, "'\(mode.rawValue)' sweep of '\(stringPath.joined(separator: "."))' must be a list of values",
                      help: "write e.g. {\(mode.rawValue): [64, 128, 256]}")
            return []
        }
        if seq.isEmpty {
            ctx.error(node, stringPath, "empty sweep for '\(stringPath.joined(separator: "."))'",
                      help: "list at least one value, or write the value itself")
            return []
        }
        for item in seq where item.sweep != nil {
            ctx.error(item, stringPath, "nested sweep inside the sweep of '\(stringPath.joined(separator: "."))'",
                      help: "list plain values")
            return []
        }
        return [SweepAxis(path: path, mode: mode, values: Array(seq), node: node)]
    }
    switch node {
    case .mapping(let m):
        return m.flatMap { pair -> [SweepAxis] in
            guard let k = pair.key.string else { return [] }
            return findSweeps(pair.value, path: path + [.key(k)], ctx: ctx)
        }
    case .sequence(let s):
        return s.enumerated().flatMap { i, item in findSweeps(item, path: path + [.index(i)], ctx: ctx) }
    default:
        return []
    }
}

/// The combinations of axis value indices: the product of grid axes with one zip group.
func combinations(_ axes: [SweepAxis]) -> [[Int]] {
    let zipAxes = axes.indices.filter { axes[$0].mode == .zip }
    let zipLength = zipAxes.first.map { axes[$0].values.count } ?? 1
    var result: [[Int]] = [Array(repeating: 0, count: axes.count)]
    var zipDone = false
    for (a, axis) in axes.enumerated() {
        if axis.mode == .zip {
            if zipDone { continue }
            zipDone = true
            result = result.flatMap { combo in
                (0..<zipLength).map { v in
                    var c = combo
                    for z in zipAxes { c[z] = v }
                    return c
                }
            }
        } else {
            result = result.flatMap { combo in
                axis.values.indices.map { v in
                    var c = combo
                    c[a] = v
                    return c
                }
            }
        }
    }
    return result
}
