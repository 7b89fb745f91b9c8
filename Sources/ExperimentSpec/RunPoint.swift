import Foundation
import Yams

/// One point of a sweep: its index, the swept values that define it, and the resolved spec.
public struct RunPoint: Sendable, Equatable {
    public var index: Int
    /// Swept key paths and the values this point takes, e.g. `["model.width": "128"]`, in axis order.
    public var assignments: [(path: String, value: String)]
    public var experiment: Experiment
    /// 0-based index of this point's configuration: the point without its replicate seed.
    public var configuration = 0
    /// 0-based replicate index within the configuration (the position of its seed).
    public var replicate = 0
    /// The swept path that numbers replicates (`train.seed`), or nil when there is one replicate.
    public var replicatePath: String?
    /// 0-based probe-set replicate (`replicates.probe`) of this point's trained network.
    public var probeReplicate = 0
    /// The path that numbers probe replicates (`probe.seed`), or nil when there is one probe set.
    public var probeReplicatePath: String?

    /// A short label such as `width=128,seed=1` (`base` when nothing is swept); a probe
    /// replicate's seed shows as `probe_seed=…`.
    public var label: String { Self.label(assignments, probePath: probeReplicatePath) }

    /// The label without the replicate seeds, e.g. `width=128`: the same for every replicate.
    public var configurationLabel: String {
        Self.label(assignments.filter { $0.path != replicatePath && $0.path != probeReplicatePath }, probePath: nil)
    }

    static func label(_ assignments: [(path: String, value: String)], probePath: String?) -> String {
        assignments.isEmpty ? "base"
            : assignments.map { a in
                let name = a.path == probePath ? "probe_seed" : a.path.split(separator: ".").last.map(String.init) ?? a.path
                return "\(name)=\(a.value)"
            }.joined(separator: ",")
    }

    public static func == (a: RunPoint, b: RunPoint) -> Bool {
        a.index == b.index && a.experiment == b.experiment && a.assignments.map(\.path) == b.assignments.map(\.path)
            && a.assignments.map(\.value) == b.assignments.map(\.value)
            && a.configuration == b.configuration && a.replicate == b.replicate && a.replicatePath == b.replicatePath
            && a.probeReplicate == b.probeReplicate && a.probeReplicatePath == b.probeReplicatePath
    }
}

/// A spec file read, overridden, validated and expanded.
public struct LoadedSpec: Sendable {
    /// Path as given.
    public var file: String
    /// The file's bytes as written.
    public var text: String
    public var overrides: [String]
    public var points: [RunPoint]
    /// Names of the swept key paths, in axis order.
    public var sweptPaths: [String]
    /// The declared claims, checked against the run points (``ClaimSpec``).
    public var claims: [ClaimSpec] = []
    /// The swept path that numbers replicates (`train.seed`), or nil when there is one replicate each.
    public var replicatePath: String?
    /// The path that numbers probe-set replicates (`probe.seed`), or nil when there is one probe set.
    public var probeReplicatePath: String?
    /// The absolute directory relative data paths written in the spec are taken from (the spec file's).
    public var specDirectory: String = ""
    /// The absolute directory relative data paths given in overrides are taken from (the current
    /// directory when the spec was loaded).
    public var workingDirectory: String = ""

    /// Swept key paths that tell configurations apart (all but the replicate seeds).
    public var configurationPaths: [String] { sweptPaths.filter { $0 != replicatePath && $0 != probeReplicatePath } }
    /// Probe sets per trained network (1 unless `replicates.probe` is set).
    public var probeReplicateCount: Int { (points.map(\.probeReplicate).max() ?? 0) + 1 }
    /// Configurations: run points without their replicate seed.
    public var configurationCount: Int { Set(points.map(\.configuration)).count }
    /// Replicates per configuration (1 when nothing is replicated).
    public var replicateCount: Int { (points.map(\.replicate).max() ?? 0) + 1 }
}
