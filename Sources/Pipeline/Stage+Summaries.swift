import Claims
import ExperimentSpec
import Foundation
import ResultBundles

/// Parameters of the `aggregate` stage: which input holds which run point's metrics and which
/// estimate, so the tables can be written from the inputs alone.
///
/// Inputs are referred to by position in the stage's input list.
public struct AggregateParams: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var index: Int
        public var label: String
        public var values: [String]
        public var configuration: Int
        public var replicate: Int
        /// The point's values of ``AggregateParams/settingsPaths``.
        public var settings: [String]?
        /// Position of the point's train stage among the inputs; nil for imported activations,
        /// which have no training metrics.
        public var train: Int?
        /// Positions of every stage of the point (train, probes, estimates) among the inputs, so a
        /// failure is attributed to the points it cost.
        public var stages: [Int]
    }

    /// One estimate: where it sits in the tidy table and which input computed it.
    public struct Cell: Codable, Sendable, Equatable {
        public var point: Int
        public var epoch: Int
        public var layer: String
        public var layerIndex: Int
        public var estimator: String
        public var input: Int
        /// A step probe's global optimizer step; nil (omitted) for an epoch probe.
        public var step: Int? = nil

        enum CodingKeys: String, CodingKey {
            case point, epoch, layer, estimator, input, step
            case layerIndex = "layer_index"
        }
    }

    /// A data stage among the inputs, by name (for the fingerprints).
    public struct DataInput: Codable, Sendable, Equatable {
        public var name: String
        public var input: Int
    }

    public var sweptPaths: [String]
    /// The swept keys that define a configuration (the replicate seeds left out).
    public var configurationPaths: [String]
    public var configurations: [ClaimConfiguration]
    /// The settings every row of `results.csv` spells out (``Experiment/tableColumns``).
    public var settingsPaths: [String]?
    public var points: [Point]
    public var cells: [Cell]
    public var data: [DataInput]
    /// Inputs that did not complete (set only when the stage runs without them).
    public var missing: [MissingInput]?

    enum CodingKeys: String, CodingKey {
        case points, cells, data, missing, configurations
        case sweptPaths = "swept_paths", configurationPaths = "configuration_paths", settingsPaths = "settings_paths"
    }
}

/// Parameters of the `claims` stage: the spec's claims, what they need to know of each
/// configuration, and the statistics' settings. Its only input is the aggregate, so editing a
/// claim re-runs this stage and the report, nothing upstream.
public struct ClaimsParams: Codable, Sendable, Equatable {
    public var claims: [ClaimSpec]
    public var configurations: [ClaimConfiguration]
    public var options: ClaimOptions
    public var missing: [MissingInput]?
}

/// Parameters of the `report` stage: what the report says besides the aggregate's numbers.
///
/// Nothing specific to one run (its id, its clock) enters, so an unchanged experiment reuses its
/// report and a changed description or figure setting re-runs this stage alone.
public struct ReportParams: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    /// `resolved.json` as text, shown verbatim.
    public var resolvedSpec: String
    /// Provenance key/value pairs in display order.
    public var provenance: [[String]]
    public var missing: [MissingInput]?

    enum CodingKeys: String, CodingKey {
        case name, description, provenance, missing
        case resolvedSpec = "resolved_spec"
    }
}
