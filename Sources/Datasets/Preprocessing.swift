import Tensors

/// Pixel scaling and per-channel standardisation of prepared inputs.
public enum Preprocessing {
    /// How inputs are scaled after loading.
    public enum Scaling: String, Sendable, Hashable, Codable, CaseIterable {
        /// As loaded: image pixels divided by 255, in [0, 1]; synthetic points unchanged.
        case unit
        /// As loaded, then each channel standardised by the training split's mean and standard
        /// deviation (see ``Preprocessing/standardize(train:test:channels:)``).
        case standardize
    }

    /// Mean and standard deviation of each channel, measured on a training split.
    public struct ChannelStatistics: Sendable, Hashable, Codable {
        public var means: [Double]
        /// Population standard deviations; a constant channel records 0.
        public var stds: [Double]
        public var channels: Int { means.count }
    }

    /// Bytes `0…255` as Float32 in [0, 1]: `x = b / 255`.
    public static func unitScaled(_ bytes: [UInt8]) -> [Float] {
        var out = [Float](repeating: 0, count: bytes.count)
        for i in bytes.indices { out[i] = Float(bytes[i]) / 255 }
        return out
    }

    /// The mean and standard deviation of each channel over every row and position.
    ///
    /// Each row of `inputs` holds `channels` contiguous planes (CHW). For channel `c` with plane
    /// values `x_{i,p}` over rows `i` and positions `p` (N values in all):
    /// ```
    /// μ_c = (1/N) Σ x_{i,p}        σ_c = √( (1/N) Σ (x_{i,p} − μ_c)² )
    /// ```
    /// Sums run in Float64, in storage order, two passes.
    public static func channelStatistics(of inputs: FloatTensor, channels: Int) throws -> ChannelStatistics {
        let features = inputs.columns
        guard channels > 0, features % channels == 0 else {
            throw DatasetError.invalid("cannot split \(features) values per row into \(channels) equal channels")
        }
        guard inputs.rows > 0 else {
            throw DatasetError.invalid("cannot measure channel statistics of an empty set")
        }
        let plane = features / channels
        let count = Double(inputs.rows * plane)
        var means = [Double](repeating: 0, count: channels)
        var stds = [Double](repeating: 0, count: channels)
        inputs.scalars.withUnsafeBufferPointer { x in
            for c in 0..<channels {
                var sum = 0.0
                for i in 0..<inputs.rows {
                    let base = i * features + c * plane
                    for p in 0..<plane { sum += Double(x[base + p]) }
                }
                let mean = sum / count
                var squares = 0.0
                for i in 0..<inputs.rows {
                    let base = i * features + c * plane
                    for p in 0..<plane {
                        let d = Double(x[base + p]) - mean
                        squares += d * d
                    }
                }
                means[c] = mean
                stds[c] = (squares / count).squareRoot()
            }
        }
        return ChannelStatistics(means: means, stds: stds)
    }

    /// `inputs` with every channel centred and scaled: `x' = (x − μ_c) / σ_c`, in Float32.
    ///
    /// A channel with `σ_c ≤ 1e-12` (constant in the training split) is only centred, so no
    /// value becomes infinite or NaN.
    public static func standardized(_ inputs: FloatTensor, by statistics: ChannelStatistics) throws -> FloatTensor {
        let channels = statistics.channels
        let features = inputs.columns
        guard channels > 0, features % channels == 0 else {
            throw DatasetError.invalid("cannot split \(features) values per row into \(channels) equal channels")
        }
        let plane = features / channels
        var out = inputs
        out.scalars.withUnsafeMutableBufferPointer { x in
            for c in 0..<channels {
                let mean = Float(statistics.means[c])
                let std = statistics.stds[c] > 1e-12 ? Float(statistics.stds[c]) : 1
                for i in 0..<inputs.rows {
                    let base = i * features + c * plane
                    for p in 0..<plane { x[base + p] = (x[base + p] - mean) / std }
                }
            }
        }
        return out
    }

    /// Standardises both splits by the training split's per-channel mean and standard deviation.
    ///
    /// ```
    /// x' = (x − μ_c) / σ_c,   μ_c, σ_c measured on `train` only
    /// ```
    /// Statistics come from the training split alone so the test split stays unseen. Rows that
    /// are not images are one channel: a single shift and scale, which keeps the geometry (and
    /// so every intrinsic-dimension estimate) unchanged up to similarity.
    ///
    /// - Parameter channels: planes per row; nil takes `train.imageShape?.channels ?? 1`.
    public static func standardize(train: LabeledSet, test: LabeledSet, channels: Int? = nil) throws
        -> (train: LabeledSet, test: LabeledSet, statistics: ChannelStatistics) {
        guard train.features == test.features else {
            throw DatasetError.mismatch("train rows have \(train.features) values but test rows have \(test.features)")
        }
        let stats = try channelStatistics(of: train.inputs, channels: channels ?? train.imageShape?.channels ?? 1)
        var newTrain = train
        var newTest = test
        newTrain.inputs = try standardized(train.inputs, by: stats)
        newTest.inputs = try standardized(test.inputs, by: stats)
        return (newTrain, newTest, stats)
    }
}
