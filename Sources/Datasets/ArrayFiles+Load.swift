import Foundation
import Tensors

extension ArrayFiles {
    /// The `.npy` bytes at `location`, from the file or its archive.
    static func bytes(at location: Location) throws -> Data {
        let data = try TensorFileError.contents(of: URL(fileURLWithPath: location.path))
        guard let member = location.member else { return data }
        return try NPZ.member(member, of: data, name: location.path)
    }

    /// The `.npy` header at `location`, checked against the size of the data that follows it,
    /// reading no more than the header (an archive member is inflated only that far).
    public static func header(at location: Location) throws -> NPY.Header {
        let name = location.description
        let data = try TensorFileError.contents(of: URL(fileURLWithPath: location.path))
        guard let member = location.member else {
            let header = try NPY.Header.parse(data, name: name)
            try header.checkPayload(of: data, name: name)
            return header
        }
        let (prefix, size) = try NPZ.prefix(NPY.maximumHeaderLength + 12, ofMember: member, of: data, name: location.path)
        let header = try NPY.Header.parse(prefix, name: name)
        let found = size - header.dataOffset
        guard found >= header.byteCount else { throw NPY.Error.truncated(name, expected: header.byteCount, found: found) }
        guard found == header.byteCount else { throw NPY.Error.trailingBytes(name, expected: header.byteCount, found: found) }
        return header
    }

    /// Checks the four arrays against each other and against ``layout`` and ``classes``, reading
    /// the inputs' headers only and the labels in full.
    ///
    /// Every problem is returned, not only the first: a missing or unreadable file, an unknown
    /// dtype, floating-point labels, inputs whose rank does not fit the layout, train and test
    /// rows of different shapes, more or fewer labels than inputs, labels outside `0..<classes`.
    public func inspect() -> (summary: Summary?, problems: [Problem]) {
        var problems: [Problem] = []
        var headers: [Role: NPY.Header] = [:]
        var labels: [Role: [Int]] = [:]
        // An archive that cannot be read is one problem, not one per member.
        var badArchives = Set<String>()
        for location in Role.allCases.map({ self[$0] }) where location.member != nil && !badArchives.contains(location.path) {
            do {
                _ = try NPZ.members(of: TensorFileError.contents(of: URL(fileURLWithPath: location.path)), name: location.path)
            } catch {
                badArchives.insert(location.path)
                problems.append(Problem(key: "file", message: FileErrors.describe(error),
                                        help: "give the path of an .npz archive written by np.savez or np.savez_compressed"))
            }
        }
        for role in Role.allCases where !badArchives.contains(self[role].path) {
            let location = self[role]
            do {
                let name = location.description
                if role.isLabels {
                    let (shape, values) = try NPY.decodeIntegers(try Self.bytes(at: location), name: name)
                    guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
                        problems.append(Problem(key: role.rawValue, message: "\(name) has shape \(Self.shapeText(shape)); labels must be one integer per example, shape (N,)",
                                                help: "save the labels with shape (N,), e.g. y.reshape(-1)"))
                        continue
                    }
                    labels[role] = values
                } else {
                    headers[role] = try Self.header(at: location)
                }
            } catch {
                problems.append(Problem(key: role.rawValue, message: FileErrors.describe(error),
                                        help: location.member == nil ? nil : "list an archive's members with python -c \"import numpy; print(list(numpy.load('\(location.path)')))\""))
            }
        }
        let expectedRank = layout == .flat ? "2 (N×D)" : "4 (N×\(layout == .nchw ? "C×H×W" : "H×W×C")) or 3 (N×H×W)"
        var layoutReported = false
        for role in [Role.trainInputs, .testInputs] {
            guard let h = headers[role] else { continue }
            let rankFits = layout == .flat ? h.shape.count == 2 : (h.shape.count == 3 || h.shape.count == 4)
            if !rankFits && layoutReported {
                headers[role] = nil
            } else if !rankFits {
                layoutReported = true
                let suggestion = h.shape.count == 2 ? "layout: flat"
                    : h.shape.count == 4 || h.shape.count == 3 ? "layout: nchw or layout: nhwc" : "reshape the inputs to N×D or N×C×H×W"
                problems.append(Problem(key: "layout", message: "layout '\(layout.rawValue)' needs inputs of rank \(expectedRank), but \(self[role]) has shape \(Self.shapeText(h.shape))",
                                        help: "use \(suggestion)"))
                headers[role] = nil
            } else if h.shape.dropFirst().contains(0) {
                problems.append(Problem(key: role.rawValue, message: "\(self[role]) has shape \(Self.shapeText(h.shape)); every example needs at least one value"))
                headers[role] = nil
            } else if h.shape[0] == 0 {
                problems.append(Problem(key: role.rawValue, message: "\(self[role]) holds no examples (shape \(Self.shapeText(h.shape)))"))
            }
        }
        if let train = headers[.trainInputs], let test = headers[.testInputs] {
            if train.shape.dropFirst() != test.shape.dropFirst() {
                problems.append(Problem(key: Role.testInputs.rawValue,
                                        message: "test examples have shape \(Self.shapeText(Array(test.shape.dropFirst()))) but train examples have \(Self.shapeText(Array(train.shape.dropFirst())))",
                                        help: "both splits must hold examples of the same shape"))
            }
            if train.dtype != test.dtype, train.dtype == .uint8 || test.dtype == .uint8 {
                problems.append(Problem(key: Role.testInputs.rawValue,
                                        message: "test inputs are \(test.dtype.rawValue) but train inputs are \(train.dtype.rawValue); uint8 inputs are divided by 255 and others are not, so the splits would be scaled differently",
                                        help: "save both splits with the same dtype"))
            }
        }
        for (inputs, labelRole) in [(Role.trainInputs, Role.trainLabels), (.testInputs, .testLabels)] {
            guard let h = headers[inputs], let y = labels[labelRole], h.shape[0] != y.count else { continue }
            problems.append(Problem(key: labelRole.rawValue,
                                    message: "\(self[labelRole]) holds \(y.count) labels but \(self[inputs]) holds \(h.shape[0]) examples",
                                    help: "give one label per \(labelRole.split) example"))
        }
        // Counted from the labels, the classes are bounded before they size an output layer.
        var classCount = classes ?? 0
        if classes == nil {
            let largest = labels.values.compactMap { $0.max() }.max() ?? 1
            classCount = max(2, largest >= Self.maximumClasses ? Self.maximumClasses : largest + 1)
        }
        for role in [Role.trainLabels, .testLabels] {
            guard let y = labels[role], let bad = y.firstIndex(where: { $0 < 0 || $0 >= classCount }) else { continue }
            problems.append(Problem(key: role.rawValue,
                                    message: "\(self[role]) holds the label \(y[bad]) at index \(bad), outside 0..<\(classCount)",
                                    help: y[bad] >= Self.maximumClasses ? "labels are class indices 0, 1, …, classes − 1, with at most \(Self.maximumClasses) classes"
                                        : classes == nil || y[bad] < 0 ? "labels are class indices 0, 1, …, classes − 1"
                                        : "raise data.arrays.classes to \((y.max() ?? classCount) + 1), or fix the labels"))
        }
        if classes == nil, labels.count == 2, labels.values.allSatisfy({ $0.allSatisfy { $0 == 0 } }) {
            problems.append(Problem(key: Role.trainLabels.rawValue, message: "every label is 0: a classifier needs at least two classes",
                                    help: "check that the labels were saved, not a placeholder"))
        }
        guard problems.isEmpty, let train = headers[.trainInputs], let test = headers[.testInputs] else {
            return (nil, problems)
        }
        let rest = Array(train.shape.dropFirst())
        let image: ImageShape?
        switch (layout, rest.count) {
        case (.flat, _): image = nil
        case (_, 2): image = ImageShape(channels: 1, height: rest[0], width: rest[1])
        case (.nchw, _): image = ImageShape(channels: rest[0], height: rest[1], width: rest[2])
        case (.nhwc, _): image = ImageShape(channels: rest[2], height: rest[0], width: rest[1])
        }
        return (Summary(trainCount: train.shape[0], testCount: test.shape[0],
                                features: rest.reduce(1, *), imageShape: image, classes: classCount,
                                inputType: train.dtype.rawValue), [])
    }

    /// Loads both splits: inputs as Float32 rows (uint8 divided by 255; channels-last images
    /// reordered to channels-first), labels as integers, after the checks of ``inspect()``.
    ///
    /// - Throws: `DatasetError` with every problem ``inspect()`` finds, or naming the file that
    ///   holds a non-finite input.
    public func load() throws -> (train: LabeledSet, test: LabeledSet, summary: Summary) {
        let (found, problems) = inspect()
        guard let summary = found else {
            throw DatasetError.invalid(problems.map { $0.description }.joined(separator: "\n"))
        }
        func split(_ inputs: Role, _ labels: Role) throws -> LabeledSet {
            let name = self[inputs].description
            let data = try Self.bytes(at: self[inputs])
            let header = try NPY.Header.parse(data, name: name)
            var values: [Float] = try NPY.decode(data, name: name, as: Float.self).scalars
            if header.dtype == .uint8 { for i in values.indices { values[i] /= 255 } }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw DatasetError.corrupt(name, "element \(bad) is \(values[bad]); inputs must be finite")
            }
            let n = header.shape[0]
            if layout == .nhwc, let image = summary.imageShape, image.channels > 1 {
                values = Self.channelsFirst(values, count: n, image: image)
            }
            let y = try NPY.decodeIntegers(try Self.bytes(at: self[labels]), name: self[labels].description).values
            return LabeledSet(inputs: FloatTensor(shape: [n, summary.features], scalars: values), labels: y,
                              classes: summary.classes, imageShape: summary.imageShape)
        }
        return (try split(.trainInputs, .trainLabels), try split(.testInputs, .testLabels), summary)
    }

    /// `N×H×W×C` values reordered to `N×C×H×W`.
    static func channelsFirst(_ values: [Float], count: Int, image: ImageShape) -> [Float] {
        let c = image.channels, plane = image.planeSize, per = image.features
        var out = [Float](repeating: 0, count: values.count)
        for n in 0..<count {
            let base = n * per
            for p in 0..<plane {
                for k in 0..<c { out[base + k * plane + p] = values[base + p * c + k] }
            }
        }
        return out
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
