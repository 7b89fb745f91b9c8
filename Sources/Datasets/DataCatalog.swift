import Foundation

/// Every data source Accordion knows, whether it can be used here, and where it is looked for:
/// the content of `accordion datasets`.
public enum DataCatalog {
    /// One source.
    public struct Entry: Sendable, Equatable {
        /// The name a recipe or spec uses, e.g. `cifar-10`.
        public var name: String
        /// What it is, in one line.
        public var summary: String
        /// Whether it is read from files (`true`) or generated (`false`).
        public var isFileBacked: Bool
        /// The directory looked in (file-backed sources only).
        public var directory: String?
        /// Whether ``directory`` is the built-in default rather than one the user gave.
        public var isDefaultDirectory: Bool
        /// The directory that holds the files, when found (may be the archive's folder inside ``directory``).
        public var foundIn: String?
        public var expectedFiles: [String]
        public var missingFiles: [String]
        /// How to obtain the files, for a missing file-backed source.
        public var hint: String?

        /// Whether the source can be used now: generated, or every file present.
        public var isAvailable: Bool { !isFileBacked || missingFiles.isEmpty }
    }

    /// The generated manifolds by the name a spec gives them (`data.manifold.kind`), with their
    /// one-line descriptions.
    public static let manifoldSources: [(name: String, summary: String)] = [
        ("hypercube", "uniform in [0,1]^d; ID d, PR d"),
        ("hypersphere", "uniform on S^d in R^(d+1); ID d, PR d+1"),
        ("swiss_roll", "Swiss roll in R^3 (scikit-learn convention); ID 2"),
        ("torus", "ring torus in R^3, uniform by area; ID 2"),
        ("flat_torus", "(S^1)^d in R^(2d); ID d, PR 2d"),
        ("gaussian", "isotropic N(0, I_d); ID d, PR d"),
        ("linear", "N(0, diag(s²)) on a d-dimensional subspace; rank d"),
        ("moment_curve", "(t, t², …, t^m), t in [0,1]; ID 1"),
    ]

    /// The generated sources: every manifold kind, then the clustered task (`data.dataset: clusters`).
    public static let syntheticSources: [(name: String, summary: String)] = manifoldSources.map {
        (name: "manifold.kind: " + $0.name, summary: $0.summary)
    } + [("dataset: clusters", "Gaussian clusters, each randomly in one of two classes (Farrell, Recanatesi et al.)")]

    /// A user's own data, named file by file in the spec rather than looked for in a directory.
    public static let userSources: [(name: String, summary: String)] = [
        ("dataset: arrays", "your own .npy files or one .npz archive: inputs N×D, N×C×H×W or N×H×W×C (any int/uint/float dtype; uint8 ÷ 255), integer labels; keys under data.arrays (docs/spec.md)"),
    ]

    /// The catalogue, looking for each file-backed source in the given directory or its default.
    public static func entries(fashionMNIST: String? = nil, cifar10: String? = nil, cifar100: String? = nil) -> [Entry] {
        let fm = fashionMNIST ?? FashionMNIST.defaultDirectory
        let c10 = cifar10 ?? CIFAR10.defaultDirectory
        let c100 = cifar100 ?? CIFAR100.defaultDirectory
        let fmMissing = FashionMNIST.missingFiles(in: fm)
        let c10Missing = CIFAR10.missingFiles(in: c10)
        let c100Missing = CIFAR100.missingFiles(in: c100)
        var out = [
            Entry(name: "fashion-mnist", summary: "Fashion-MNIST: 60,000 + 10,000 grey images 1×28×28, 10 classes (IDX, gzip)",
                  isFileBacked: true, directory: fm, isDefaultDirectory: fashionMNIST == nil,
                  foundIn: fmMissing.isEmpty ? fm : nil, expectedFiles: FashionMNIST.files, missingFiles: fmMissing,
                  hint: fmMissing.isEmpty ? nil : FashionMNIST.installHint),
            Entry(name: "cifar-10", summary: "CIFAR-10: 50,000 + 10,000 colour images 3×32×32, 10 classes (binary version)",
                  isFileBacked: true, directory: c10, isDefaultDirectory: cifar10 == nil,
                  foundIn: CIFAR10.resolvedDirectory(c10), expectedFiles: CIFAR10.files, missingFiles: c10Missing,
                  hint: c10Missing.isEmpty ? nil : CIFAR10.installHint),
            Entry(name: "cifar-100", summary: "CIFAR-100: 50,000 + 10,000 colour images 3×32×32, 100 fine / 20 coarse classes (binary version)",
                  isFileBacked: true, directory: c100, isDefaultDirectory: cifar100 == nil,
                  foundIn: CIFAR100.resolvedDirectory(c100), expectedFiles: CIFAR100.files, missingFiles: c100Missing,
                  hint: c100Missing.isEmpty ? nil : CIFAR100.installHint),
        ]
        for source in syntheticSources {
            out.append(Entry(name: source.name, summary: source.summary, isFileBacked: false, directory: nil,
                             isDefaultDirectory: false, foundIn: nil, expectedFiles: [], missingFiles: [], hint: nil))
        }
        return out
    }

    /// The catalogue as text: one block per file-backed source, one line per generated one.
    public static func render(_ entries: [Entry]) -> String {
        var lines: [String] = []
        let width = (entries.filter(\.isFileBacked).map(\.name.count).max() ?? 0) + 2
        func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
        for e in entries where e.isFileBacked {
            let status = e.isAvailable ? "available" : "missing  "
            let place = (e.foundIn ?? e.directory ?? "") + (e.isDefaultDirectory ? " (default)" : "")
            lines.append("\(pad(e.name))\(status)  \(place)")
            lines.append("    \(e.summary)")
            if e.isAvailable {
                lines.append("    files: \(e.expectedFiles.joined(separator: ", "))")
            } else {
                lines.append("    missing: \(e.missingFiles.joined(separator: ", "))")
                if let hint = e.hint { lines.append("    help: \(hint)") }
            }
        }
        let generated = entries.filter { !$0.isFileBacked }
        if !generated.isEmpty {
            lines.append("generated (always available; the spec key under data:):")
            let width = (generated.map(\.name.count).max() ?? 0) + 2
            for e in generated { lines.append("  \(e.name + String(repeating: " ", count: max(0, width - e.name.count)))\(e.summary)") }
        }
        lines.append("your own data (checked when a spec names it):")
        for source in userSources { lines.append("  \(source.name)  \(source.summary)") }
        return lines.joined(separator: "\n")
    }
}
