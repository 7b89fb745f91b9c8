import Foundation
import ResultBundles

#if canImport(Glibc)
import Glibc
#endif

/// Checking and cleaning a results directory's stage store (`accordion store verify|gc`).
public enum StoreMaintenance {
    /// One store entry that does not hold what its `stage.json` says.
    public struct Problem: Sendable {
        public var key: String
        public var name: String
        public var problem: String
    }

    /// The keys of the completed entries in a store.
    static func keys(_ store: StageStore) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: store.root.path)) ?? []
        return names.filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }.sorted()
    }

    /// Checks every entry's outputs against their recorded checksums; with `repair`, moves the
    /// bad ones to `.store/corrupt/` so the next run recomputes them.
    ///
    /// - Complexity: reads every stored file once.
    public static func verify(results: URL, repair: Bool) throws -> (checked: Int, problems: [Problem]) {
        let store = StageStore(root: results.appendingPathComponent(".store"))
        var problems: [Problem] = []
        let keys = keys(store)
        for key in keys {
            guard case .corrupt(let why) = store.check(key) else { continue }
            let name = (try? store.definition(key))?.name ?? key
            problems.append(Problem(key: key, name: name, problem: why))
            if repair { try store.quarantine(key) }
        }
        return (keys.count, problems)
    }

    /// What `gc` removed.
    public struct Collected: Sendable {
        public var entries: Int
        public var scratch: Int
        public var corrupt: Int
        public var bytes: Int
    }

    /// Removes store entries that no bundle under `results` refers to, scratch directories of
    /// processes that no longer run, and set-aside corrupt entries. Bundles keep their files:
    /// they hold their own links to them.
    public static func collect(results: URL) throws -> Collected {
        let store = StageStore(root: results.appendingPathComponent(".store"))
        var referenced = Set<String>()
        for bundle in BundleReader.bundles(under: results) {
            guard let reader = try? BundleReader(bundle) else { continue }
            for stage in reader.manifest.stages { referenced.insert(stage.key) }
        }
        var out = Collected(entries: 0, scratch: 0, corrupt: 0, bytes: 0)
        let fm = FileManager.default
        for key in keys(store) where !referenced.contains(key) {
            out.bytes += size(of: store.directory(key))
            try fm.removeItem(at: store.directory(key))
            try? fm.removeItem(at: store.definitionFile(key))
            out.entries += 1
        }
        let tmp = store.root.appendingPathComponent("tmp")
        let before = (try? fm.contentsOfDirectory(atPath: tmp.path)) ?? []
        store.removeAbandonedScratch()
        out.scratch = before.count - ((try? fm.contentsOfDirectory(atPath: tmp.path))?.count ?? 0)
        let corrupt = store.root.appendingPathComponent("corrupt")
        for name in (try? fm.contentsOfDirectory(atPath: corrupt.path)) ?? [] {
            out.bytes += size(of: corrupt.appendingPathComponent(name))
            try fm.removeItem(at: corrupt.appendingPathComponent(name))
            out.corrupt += 1
        }
        return out
    }

    /// Wildcard match of `name` against `pattern` (`*`, `?`).
    /// - Complexity: O(pattern × name).
    static func matches(_ pattern: [Character], _ name: [Character]) -> Bool {
        var p = 0, n = 0, star = -1, resume = 0
        while n < name.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == name[n]) {
                p += 1; n += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p; resume = n; p += 1
            } else if star >= 0 {
                p = star + 1; resume += 1; n = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    static func size(of directory: URL) -> Int {
        Checksums.paths(under: directory, excluding: []).reduce(0) { total, path in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(path).path)
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }

    /// Removes the stored outputs of every stage of `graph` whose name matches one of the patterns
    /// (`*` any text, `?` one character, everything else literal, brackets included: `train[*]`,
    /// `estimate[*,h1,*]`), so the run recomputes them. Returns their names.
    public static func force(_ patterns: [String], graph: StageGraph, store: StageStore) throws -> [String] {
        guard !patterns.isEmpty else { return [] }
        var removed: [String] = []
        for stage in graph.stages where patterns.contains(where: { matches(Array($0), Array(stage.name)) }) {
            if FileManager.default.fileExists(atPath: store.directory(stage.key).path) {
                try FileManager.default.removeItem(at: store.directory(stage.key))
            }
            removed.append(stage.name)
        }
        return removed
    }
}
