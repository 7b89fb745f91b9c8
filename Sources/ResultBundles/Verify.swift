import Foundation

/// Checks a bundle's files against their recorded checksums and compares two bundles number by
/// number.
public enum BundleVerifier {
    /// A file whose size or SHA-256 differs from `bundle.json`, or that is missing.
    public struct IntegrityProblem: Sendable, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public static func integrity(_ bundle: BundleReader) -> [IntegrityProblem] {
        var out: [IntegrityProblem] = []
        for record in bundle.manifest.files {
            let url = bundle.layout.root.appendingPathComponent(record.path)
            guard let (hash, size) = try? Checksums.sha256(of: url) else {
                out.append(IntegrityProblem(path: record.path, problem: "missing"))
                continue
            }
            if size != record.size || hash != record.sha256 {
                out.append(IntegrityProblem(path: record.path, problem: "sha256 \(hash.prefix(12))… does not match the recorded \(record.sha256.prefix(12))… (size \(size), recorded \(record.size))"))
            }
        }
        return out
    }

    /// One number that differs between two bundles.
    public struct Difference: Sendable {
        public var what: String
        public var a: String
        public var b: String
        public var relative: Double
    }

    public struct Comparison: Sendable {
        /// Whether the bundles claim the same machine and thread count, so must agree bit for bit.
        public var exact: Bool
        public var tolerance: Double
        public var compared: Int
        public var differences: [Difference]
        public var missing: [String]
        public var passed: Bool { differences.isEmpty && missing.isEmpty }
    }

    /// Compares `results.csv` (every estimate) and the per-epoch metrics of two bundles.
    ///
    /// On the same CPU kernel, CPU model and BLAS thread count numbers must be identical;
    /// otherwise each may differ by `tolerance` relative (default 2 %), since the last bits of
    /// BLAS results differ between kernels and training amplifies them.
    public static func compare(_ a: BundleReader, _ b: BundleReader, tolerance: Double = 0.02) throws -> Comparison {
        let pa = try provenanceKey(a), pb = try provenanceKey(b)
        let exact = pa == pb
        let tol = exact ? 0 : tolerance
        var differences: [Difference] = []
        var missing: [String] = []
        var compared = 0
        func check(_ what: String, _ x: String, _ y: String) {
            compared += 1
            if x == y { return }
            guard let dx = Double(x), let dy = Double(y) else {
                differences.append(Difference(what: what, a: x, b: y, relative: .infinity))
                return
            }
            let rel = abs(dx - dy) / max(abs(dx), abs(dy), 1e-12)
            if exact || rel > tol { differences.append(Difference(what: what, a: x, b: y, relative: rel)) }
        }
        let ta = try a.results(), tb = try b.results()
        let keyColumns = ["point", "epoch", "layer", "estimator"]
        func index(_ t: CSVTable) -> [String: [String]] {
            let cols = keyColumns.compactMap(t.column)
            var out: [String: [String]] = [:]
            for r in t.rows where r.count == t.header.count { out[cols.map { r[$0] }.joined(separator: "/")] = r }
            return out
        }
        let ia = index(ta), ib = index(tb)
        for (key, ra) in ia.sorted(by: { $0.key < $1.key }) {
            guard let rb = ib[key] else { missing.append("results.csv row \(key) only in the first bundle"); continue }
            for col in ["value", "n", "dimension"] {
                if let ca = ta.column(col), let cb = tb.column(col) { check("\(key) \(col)", ra[ca], rb[cb]) }
            }
        }
        for key in ib.keys.sorted() where ia[key] == nil { missing.append("results.csv row \(key) only in the second bundle") }

        // Per-epoch metrics of train stages, matched by stage name.
        let trainsA = Dictionary(a.manifest.stages.filter { $0.kind == "train" }.map { ($0.name, $0.key) }) { x, _ in x }
        let trainsB = Dictionary(b.manifest.stages.filter { $0.kind == "train" }.map { ($0.name, $0.key) }) { x, _ in x }
        for (name, keyA) in trainsA.sorted(by: { $0.key < $1.key }) {
            guard let keyB = trainsB[name] else { missing.append("stage \(name) only in the first bundle"); continue }
            let ma = metrics(a, keyA), mb = metrics(b, keyB)
            if ma.count != mb.count { missing.append("\(name): \(ma.count) vs \(mb.count) epochs of metrics"); continue }
            for (ea, eb) in zip(ma, mb) {
                for field in ["train_loss", "train_accuracy", "test_loss", "test_accuracy"] {
                    check("\(name) epoch \(ea["epoch"] ?? "?") \(field)", ea[field] ?? "", eb[field] ?? "")
                }
            }
        }
        return Comparison(exact: exact, tolerance: tol, compared: compared, differences: differences, missing: missing)
    }

    static func metrics(_ bundle: BundleReader, _ key: String) -> [[String: String]] {
        let url = bundle.layout.stage(key).appendingPathComponent("metrics.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return o.mapValues { "\($0)" }
        }
    }

    static func provenanceKey(_ bundle: BundleReader) throws -> String {
        let data = try Data(contentsOf: bundle.layout.provenance)
        let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return ["cpu", "blas_core", "blas_threads"].map { "\(o[$0] ?? "")" }.joined(separator: "|")
    }
}
