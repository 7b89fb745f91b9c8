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

    /// Files every finished bundle has.
    public static let requiredFiles = ["spec.yaml", "overrides.txt", "resolved.json", "provenance.json"]

    /// Everything that makes a bundle untrustworthy: a run that did not finish, a file list that
    /// is missing or incomplete, files that are not listed, and files whose bytes changed.
    public static func integrity(_ bundle: BundleReader) -> [IntegrityProblem] {
        var out: [IntegrityProblem] = []
        let manifest = bundle.manifest
        switch manifest.status {
        case .running:
            out.append(IntegrityProblem(path: "bundle.json", problem: "the run never finished (status running: it was killed, or is still going); run the spec again to resume"))
        case .interrupted:
            out.append(IntegrityProblem(path: "bundle.json", problem: "the run was interrupted; run the spec again to resume"))
        case .complete, .partial, .failed:
            break
        }
        if manifest.status != .running && manifest.status != .interrupted && manifest.files.isEmpty {
            out.append(IntegrityProblem(path: "bundle.json", problem: "records no files and no checksums (the run stopped while writing the bundle)"))
        }
        let listed = Set(manifest.files.map(\.path))
        if !manifest.files.isEmpty {
            for name in requiredFiles where !listed.contains(name) {
                out.append(IntegrityProblem(path: name, problem: "not in the file list of bundle.json"))
            }
        }
        for path in Checksums.paths(under: bundle.layout.root) where !listed.contains(path) {
            out.append(IntegrityProblem(path: path, problem: "present but not listed in bundle.json (added after the run)"))
        }
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
        // `class` (per-class rows) only in tables that have it: others keep their row keys.
        let keyColumns = ["point", "epoch", "layer", "estimator", "class"]
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
        func trains(_ r: BundleReader) -> [String: String] {
            Dictionary(r.manifest.stages.filter { $0.kind == .train && $0.status.succeeded }.map { ($0.name, $0.key) }) { x, _ in x }
        }
        let trainsA = trains(a), trainsB = trains(b)
        for (name, keyA) in trainsA.sorted(by: { $0.key < $1.key }) {
            guard let keyB = trainsB[name] else { missing.append("stage \(name) completed only in the first bundle"); continue }
            let ma = try MetricsLog.read(from: a.layout.stage(keyA)), mb = try MetricsLog.read(from: b.layout.stage(keyB))
            if ma.count != mb.count { missing.append("\(name): \(ma.count) vs \(mb.count) epochs of metrics"); continue }
            let fields: [(String, KeyPath<EpochMetrics, Double?>)] = [
                ("train_loss", \.trainLoss), ("train_accuracy", \.trainAccuracy),
                ("train_loss_eval", \.trainLossEval), ("train_accuracy_eval", \.trainAccuracyEval),
                ("test_loss", \.optionalTestLoss), ("test_accuracy", \.optionalTestAccuracy),
                ("grad_noise_trace", \.gradientNoise), ("noise_temperature", \.noiseTemperature),
            ]
            for (ea, eb) in zip(ma, mb) {
                for (field, path) in fields {
                    let (va, vb) = (ea[keyPath: path], eb[keyPath: path])
                    if va == nil && vb == nil { continue }
                    check("\(name) epoch \(ea.epoch) \(field)", va.map { String($0) } ?? "", vb.map { String($0) } ?? "")
                }
            }
        }
        for name in trainsB.keys.sorted() where trainsA[name] == nil { missing.append("stage \(name) completed only in the second bundle") }
        return Comparison(exact: exact, tolerance: tol, compared: compared, differences: differences, missing: missing)
    }

    static func provenanceKey(_ bundle: BundleReader) throws -> String {
        let p = try Provenance.read(from: bundle.layout.root)
        return [p.cpu, p.blasCore, String(p.blasThreads)].joined(separator: "|")
    }
}

extension EpochMetrics {
    /// The test figures as optionals, so every compared field has one type.
    var optionalTestLoss: Double? { testLoss }
    var optionalTestAccuracy: Double? { testAccuracy }
}
