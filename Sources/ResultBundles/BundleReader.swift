import Foundation

/// Reads a bundle's manifest and tables, rejecting formats newer than this build understands.
public struct BundleReader: Sendable {
    public let layout: BundleLayout
    public let manifest: BundleManifest

    public init(_ root: URL) throws {
        layout = BundleLayout(root: root)
        guard let data = FileManager.default.contents(atPath: layout.bundleJSON.path) else {
            throw BundleError.unreadable(root.path, "not a result bundle (no bundle.json)")
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let version = object["format_version"] as? Int, version > BundleLayout.formatVersion {
            throw BundleError.newerFormat(root.path, version)
        }
        do {
            manifest = try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw BundleError.unreadable(layout.bundleJSON.path, "bundle.json is malformed: \(DecodingProblem.describe(error))")
        }
    }

    /// `results.csv` as a header and rows of fields.
    public func results() throws -> CSVTable {
        try CSVTable(text: String(contentsOf: layout.results, encoding: .utf8))
    }

    /// Every run's bundle under a results directory, newest first.
    public static func bundles(under results: URL) -> [URL] {
        let experiments = (try? FileManager.default.contentsOfDirectory(atPath: results.path)) ?? []
        return experiments.filter { !$0.hasPrefix(".") }
            .flatMap { runs(in: results.appendingPathComponent($0)) }
            .sorted { $0.lastPathComponent > $1.lastPathComponent }
    }

    /// The bundles of one experiment's directory, newest first (run ids start with their UTC
    /// start time).
    public static func runs(in experiment: URL) -> [URL] {
        let fm = FileManager.default
        let runs = ((try? fm.contentsOfDirectory(atPath: experiment.path)) ?? []).filter { !$0.hasPrefix(".") }
        return runs.map { experiment.appendingPathComponent($0) }
            .filter { fm.fileExists(atPath: $0.appendingPathComponent("bundle.json").path) }
            .sorted { $0.lastPathComponent > $1.lastPathComponent }
    }
}

/// A parsed CSV file (RFC 4180 quoting).
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(text: String) throws {
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false
        var chars = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = chars.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field); field = ""
            } else if c == "\n" {
                record.append(field); records.append(record); record = []; field = ""
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        header = records.first ?? []
        rows = Array(records.dropFirst())
    }

    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}
