/// Every estimator's name and settings — keys, types, defaults and allowed ranges — stated once,
/// for the spec decoder (which checks a YAML `estimators:` section) and the engine (which reads
/// the settings as text) alike. A setting added here is known to both.
public enum EstimatorCatalog {
    /// One estimator: its name, its own settings and which shared settings it takes.
    public struct Entry: Sendable, Equatable {
        public let name: String
        /// Its own settings, in the order they are documented.
        public let settings: [AnySetting]
        /// Its `resamples` setting, whose default differs between estimators; nil when it takes
        /// no resampling settings (its error bar comes from elsewhere).
        public let resamples: IntegerSetting?
        /// Whether it accepts ``Common/perClass``.
        public let perClass: Bool

        /// Its own setting keys.
        public var keys: [String] { settings.map(\.key) }
    }

    /// The settings every resampled estimator takes: its error bar and block analysis.
    public enum Common {
        /// Repeats on random subsets for the error bar, with the estimator's default
        /// (``Entry/resamples``).
        public static func resamples(defaultValue: Int) -> IntegerSetting {
            IntegerSetting(key: "resamples", defaultValue: defaultValue, range: 0...1000)
        }
        /// The fraction of the points in each resample: any proper fraction, as ⌊f·N⌋ points.
        public static let resampleFraction = NumberSetting(key: "resample_fraction", defaultValue: 0.9,
                                                           range: Interval(0, 1, lowerClosed: false, upperClosed: false))
        public static let blocks = FlagSetting(key: "blocks", defaultValue: false)
        /// The resampling seed; the pipeline derives it from the run point, so a spec never sets it.
        public static let seedKey = "seed"
        /// Also estimate on each class's points alone (the intrinsic-dimension estimators only).
        public static let perClass = FlagSetting(key: "per_class", defaultValue: false)
    }

    /// How `pca` and `local_pca` read a dimension off a covariance spectrum.
    public enum Spectrum {
        /// `variance`: components explaining a variance fraction; `fo`: Fukunaga–Olsen.
        public static let rule = ChoiceSetting(key: "rule", defaultValue: varianceRule, choices: [varianceRule, foRule])
        /// The variance fraction of rule `variance`.
        public static let variance = NumberSetting(key: "variance", defaultValue: 0.9,
                                                   range: Interval(0, 1, lowerClosed: false, upperClosed: true))
        /// The fraction α of the largest eigenvalue of rule `fo` (skdim's default 0.05).
        public static let alpha = NumberSetting(key: "alpha", defaultValue: 0.05,
                                                range: Interval(0, 1, lowerClosed: false, upperClosed: false))
        /// The rule that reads ``variance``.
        public static let varianceRule = "variance"
        /// The rule that reads ``alpha``.
        public static let foRule = "fo"
        public static let settings: [AnySetting] = [.choice(rule), .number(variance), .number(alpha)]
    }

    public enum PCA {
        public static let standardize = FlagSetting(key: "standardize", defaultValue: false)
    }

    public enum TwoNN {
        public static let discardFraction = NumberSetting(key: "discard_fraction", defaultValue: 0.1,
                                                          range: Interval(0, 0.9, lowerClosed: true, upperClosed: true))
        public static let method = ChoiceSetting(key: "method", defaultValue: "linear", choices: ["linear", "mle", "mle_all"])
    }

    public enum MLE {
        public static let k = IntegerSetting(key: "k", defaultValue: 20, range: 2...10_000)
        public static let average = ChoiceSetting(key: "average", defaultValue: "harmonic", choices: ["harmonic", "mean"])
    }

    public enum LocalPCA {
        public static let k = IntegerSetting(key: "k", defaultValue: 100, range: 2...100_000)
    }

    /// `corrdim`'s two neighbour scales; besides their ranges, k2 must exceed k1.
    public enum CorrDim {
        public static let k1 = IntegerSetting(key: "k1", defaultValue: 10, range: 1...100_000)
        public static let k2 = IntegerSetting(key: "k2", defaultValue: 20, range: 2...100_000)
    }

    public enum LinearProbe {
        public static let folds = IntegerSetting(key: "folds", defaultValue: 5, range: 2...100)
        /// The ridge strength, or `cv` to choose it by inner cross-validation.
        public static let alpha = NumberOrWordSetting(key: "alpha", word: "cv",
                                                      range: Interval(0, 1e12, lowerClosed: false, upperClosed: true))
        public static let shuffle = FlagSetting(key: "shuffle", defaultValue: true)
    }

    /// Every estimator, in output order.
    public static let entries: [Entry] = [
        Entry(name: "pr", settings: [], resamples: Common.resamples(defaultValue: 20), perClass: true),
        Entry(name: "pca", settings: Spectrum.settings + [.flag(PCA.standardize)],
              resamples: Common.resamples(defaultValue: 0), perClass: true),
        Entry(name: "twonn", settings: [.number(TwoNN.discardFraction), .choice(TwoNN.method)],
              resamples: Common.resamples(defaultValue: 20), perClass: true),
        Entry(name: "mle", settings: [.integer(MLE.k), .choice(MLE.average)],
              resamples: Common.resamples(defaultValue: 20), perClass: true),
        Entry(name: "local_pca", settings: [.integer(LocalPCA.k)] + Spectrum.settings,
              resamples: Common.resamples(defaultValue: 0), perClass: true),
        Entry(name: "corrdim", settings: [.integer(CorrDim.k1), .integer(CorrDim.k2)],
              resamples: Common.resamples(defaultValue: 0), perClass: true),
        Entry(name: "class_geometry", settings: [], resamples: Common.resamples(defaultValue: 0), perClass: false),
        Entry(name: "linear_probe", settings: [.integer(LinearProbe.folds), .numberOrWord(LinearProbe.alpha), .flag(LinearProbe.shuffle)],
              resamples: nil, perClass: false),
    ]

    /// Every estimator name, in output order.
    public static let names = entries.map(\.name)

    /// The estimator called `name`, if any.
    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }
}
