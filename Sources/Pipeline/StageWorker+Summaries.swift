import Claims
import Foundation
import ResultBundles
import Reports
import Tensors
import Dimensionality

extension StageWorker {
    /// Reads every metric and estimate of the run into `aggregate.json`, `results.csv` and
    /// `metrics.csv`, leaving out the inputs that did not complete.
    func runAggregate(_ p: AggregateParams, stage: Stage, dir: URL) throws {
        let missing = Set((p.missing ?? []).map(\.key))
        func input(_ position: Int) -> URL? {
            let key = stage.inputs[position]
            return missing.contains(key) ? nil : store.directory(key)
        }
        var datasets: [String: String] = [:]
        for d in p.data {
            if let url = input(d.input) { datasets[d.name] = try DataRecord.read(from: url).fingerprint }
        }
        var metrics: [AggregateRecord.PointMetrics] = []
        for point in p.points {
            if let train = point.train, let url = input(train) { metrics.append(.init(point: point.index, epochs: try MetricsLog.read(from: url))) }
        }
        let labels = Dictionary(uniqueKeysWithValues: p.points.map { ($0.index, $0.label) })
        var rows: [ResultRow] = []
        var classRows: [ResultRow] = []
        for cell in p.cells {
            guard let url = input(cell.input) else { continue }
            let record = try EstimateRecord.read(from: url)
            func row(_ e: IDEstimate, classLabel: Int?) -> ResultRow {
                ResultRow(point: cell.point, label: labels[cell.point] ?? "", epoch: cell.epoch, layer: cell.layer,
                          layerIndex: cell.layerIndex, estimator: cell.estimator, flavour: e.flavour,
                          value: e.value, error: e.errorBar, n: e.used, dimension: record.dimension, seconds: e.seconds,
                          step: cell.step, blocks: e.blocks.isEmpty ? nil : e.blocks, classLabel: classLabel)
            }
            rows.append(row(record.estimate, classLabel: nil))
            for c in record.perClass ?? [] { classRows.append(row(c.estimate, classLabel: c.label)) }
        }
        var served: [String: [Int]] = [:]
        for point in p.points {
            for position in point.stages { served[stage.inputs[position], default: []].append(point.index) }
        }
        let missingInputs = (p.missing ?? []).map { m -> MissingInput in
            var m = m
            m.points = served[m.key]
            return m
        }
        // Epoch probes first, then step probes, each in time order (as before for runs without steps).
        func order(_ r: ResultRow) -> (Int, Int, Int) { r.step.map { (1, $0, r.epoch) } ?? (0, r.epoch, 0) }
        rows.sort {
            let a = order($0), b = order($1)
            return ($0.point, a.0, a.1, a.2, $0.layerIndex, $0.estimator) < ($1.point, b.0, b.1, b.2, $1.layerIndex, $1.estimator)
        }
        let record = AggregateRecord(
            sweptPaths: p.sweptPaths, settingsPaths: p.settingsPaths,
            points: p.points.map { .init(index: $0.index, label: $0.label, values: $0.values,
                                         configuration: $0.configuration, replicate: $0.replicate, settings: $0.settings,
                                         imported: $0.train == nil ? true : nil) },
            rows: rows, metrics: metrics, datasets: datasets, missing: missingInputs,
            classRows: classRows.isEmpty ? nil : classRows)
        try record.write(to: dir)
        try AtomicWrite.write(record.resultsCSV, to: dir.appendingPathComponent(BundleLayout.resultsFile))
        try AtomicWrite.write(record.metricsCSV, to: dir.appendingPathComponent(BundleLayout.metricsFile))
        if let blocks = record.blocksCSV { try AtomicWrite.write(blocks, to: dir.appendingPathComponent("blocks.csv")) }
        let summary = GroupSummary.summarize(ClaimInputs.observations(record))
        try AtomicWrite.write(SummaryCSV.render(summary, configurations: p.configurations, paths: p.configurationPaths),
                              to: dir.appendingPathComponent(SummaryCSV.fileName))
    }

    /// Evaluates the spec's claims on the aggregate alone (`claims.json`, `claims.md`).
    func runClaims(_ p: ClaimsParams, stage: Stage, dir: URL) throws {
        let missing = Set((p.missing ?? []).map(\.key))
        let aggregate = missing.contains(stage.inputs[0])
            ? AggregateRecord(sweptPaths: [], points: [], rows: [], metrics: [], datasets: [:], missing: [])
            : try AggregateRecord.read(from: store.directory(stage.inputs[0]))
        // Step rows are read only by cells that name a step: they are keyed apart from epochs.
        let data = ClaimData(configurations: p.configurations, observations: ClaimInputs.observations(aggregate),
                             metrics: ClaimInputs.metrics(aggregate))
        let results = ClaimEvaluator.evaluate(p.claims, data: data, options: p.options)
        try AtomicWrite.write(try StableJSON.encode(ClaimsDocument(options: p.options, claims: results)),
                              to: dir.appendingPathComponent(ClaimInputs.claimsFile))
        try AtomicWrite.write(ClaimsTable.markdown(results), to: dir.appendingPathComponent(ClaimInputs.markdownFile))
    }

    /// Draws the figures and writes `report.html` from the aggregate and the report's parameters.
    func runReport(_ p: ReportParams, stage: Stage, dir: URL) throws {
        let missing = Set((p.missing ?? []).map(\.key))
        let aggregate: AggregateRecord
        if missing.contains(stage.inputs[0]) {
            aggregate = AggregateRecord(sweptPaths: [], points: [], rows: [], metrics: [], datasets: [:], missing: p.missing ?? [])
        } else {
            aggregate = try AggregateRecord.read(from: store.directory(stage.inputs[0]))
        }
        var claims: [ClaimResult] = []
        if stage.inputs.count > 1, !missing.contains(stage.inputs[1]) {
            claims = try ClaimInputs.read(from: store.directory(stage.inputs[1])).claims
        }
        let input = ReportBuilder.input(aggregate: aggregate, claims: claims, name: p.name, description: p.description,
                                        resolvedSpec: p.resolvedSpec, provenance: p.provenance,
                                        missing: aggregate.missing + (p.missing ?? []))
        try ReportWriter.write(input, to: dir)
    }
}
