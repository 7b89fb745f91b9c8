import Foundation

extension Experiment {
    /// The settings that describe a run point in tidy tables (`results.csv`), by spec path, so
    /// a table can be filtered and grouped without the spec at hand. Lists are written with `-`
    /// between items (`model.widths` = `256-256-256`); a setting that does not apply is empty.
    ///
    /// `true_id` is the intrinsic dimension a synthetic manifold has by construction (empty for
    /// real data): d for the hypercube, sphere S^d, flat torus, Gaussian and linear subspace,
    /// 2 for the Swiss roll and the torus, 1 for the moment curve.
    public var tableColumns: [(path: String, value: String)] {
        func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: "-") }
        func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
        let sizes = data.splitSizes
        if activations != nil {
            // Nothing of the data, model or training is known of imported activations.
            let known = ["data.dataset": "activations", "train.epochs": String(train.epochs), "train.seed": String(train.seed),
                         "probe.split": "imported"]
            return Self.columnPaths.map { ($0, known[$0] ?? "") }
        }
        return [
            ("data.dataset", data.dataset.rawValue),
            ("data.train_size", sizes.map { String($0.train) } ?? ""),
            ("data.test_size", sizes.map { String($0.test) } ?? ""),
            ("data.shuffle_labels", data.shuffleLabels.rawValue),
            // The fraction only means something when labels are shuffled.
            ("data.shuffle_fraction", data.shuffleLabels == .none ? "0" : number(data.shuffleFraction)),
            ("model.architecture", model.architecture.rawValue),
            ("model.widths", list(model.widths)),
            ("model.channels", model.architecture == .cnn ? list(model.channels) : ""),
            ("model.activation", model.activation.rawValue),
            ("train.optimizer", train.optimizer.rawValue),
            ("train.lr", number(train.lr)),
            ("train.batch_size", String(train.batchSize)),
            ("train.epochs", String(train.epochs)),
            ("train.seed", String(train.seed)),
            ("probe.size", String(probe.size)),
            ("probe.split", probe.split.rawValue),
            ("probe.seed", String(probe.seed)),
            ("true_id", trueIntrinsicDimension.map(String.init) ?? ""),
        ]
    }

    /// The paths of ``tableColumns``, in order.
    static let columnPaths = ["data.dataset", "data.train_size", "data.test_size", "data.shuffle_labels", "data.shuffle_fraction",
                              "model.architecture", "model.widths", "model.channels", "model.activation", "train.optimizer",
                              "train.lr", "train.batch_size", "train.epochs", "train.seed", "probe.size", "probe.split",
                              "probe.seed", "true_id"]

    /// The intrinsic dimension of the data by construction, for synthetic manifolds.
    public var trueIntrinsicDimension: Int? {
        guard data.dataset == .manifold, let m = data.manifold else { return nil }
        switch m.kind {
        case .hypercube, .hypersphere, .flatTorus, .gaussian, .linear: return m.dimension
        case .swissRoll, .torus: return 2
        case .momentCurve: return 1
        }
    }
}
