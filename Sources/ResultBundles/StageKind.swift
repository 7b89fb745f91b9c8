/// The kinds of stage a spec compiles to, with the format version of each kind's outputs.
///
/// Bumping a version invalidates every cached output of that kind (and, through input keys, of
/// everything downstream). Every format version of Accordion's files lives here and in
/// ``BundleLayout/formatVersion``.
public enum StageKind: String, Codable, Sendable, CaseIterable {
    case data, train, probe, estimate
    /// Activations exported elsewhere, read, checked and written as a probe stage writes them.
    case importActivations = "import"
    /// Every estimate and metric of a run in tidy tables (`results.csv`, `metrics.csv`).
    case aggregate
    /// The spec's declared claims evaluated on the aggregate (`claims.json`).
    case claims
    /// Figures and `report.html`.
    case report

    public var formatVersion: Int {
        switch self {
        case .data: return 1
        // 3: an epoch-0 row, training figures evaluated on the whole split, noise from
        // independent minibatches as `grad_noise_trace` with `noise_temperature`.
        case .train: return 3
        // 3: probe.json (indices and labels of the probe set) beside the activations.
        case .probe: return 3
        case .estimate: return 2
        case .importActivations: return 1
        // 2: results.csv names each row's configuration and settings; metrics.csv gains the
        // evaluated, noise, step and target columns.
        case .aggregate: return 2
        // 2: train_* claim metrics read the evaluated figures.
        // 3: claims.md shows the Holm-adjusted p and the margin of claims of no change.
        case .claims: return 3
        // 2: replicate means with confidence bands, one y axis per estimator.
        // 3: the figure by step draws replicate means with confidence bands as well.
        // 4: training curves of runs longer than 200 epochs are drawn through 200 of them.
        case .report: return 4
        }
    }

    /// Kinds that run once their inputs have settled, succeeded or not, and say what was missing:
    /// a failed run point must not take the tables and the report of the others with it.
    public var toleratesMissingInputs: Bool {
        switch self {
        case .aggregate, .claims, .report: return true
        case .data, .train, .probe, .estimate, .importActivations: return false
        }
    }
}

/// How one stage ended in one run, as recorded in `bundle.json` and `stage.json`.
public enum StageStatus: String, Codable, Sendable, CaseIterable {
    /// Computed in this run.
    case done
    /// Found complete in the store; not recomputed.
    case cached
    case failed
    /// Not run because an input failed (or `--fail-fast` stopped the run).
    case skipped
    /// Not reached yet (a running or interrupted run).
    case pending

    public var succeeded: Bool { self == .done || self == .cached }
}

/// How a whole run ended, as recorded in `bundle.json`.
public enum BundleStatus: String, Codable, Sendable, CaseIterable {
    /// Stages are still running (or the process died without a word).
    case running
    /// Every stage succeeded.
    case complete
    /// Some stages failed; the tables hold what the others produced.
    case partial
    /// No estimate was produced.
    case failed
    /// Stopped by a signal before the end; `accordion run` on the same spec resumes.
    case interrupted
}
