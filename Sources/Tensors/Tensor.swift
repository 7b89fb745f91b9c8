/// A scalar type OpenBLAS can multiply: `Float` (sgemm) or `Double` (dgemm).
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable where Self.RawSignificand: FixedWidthInteger {
    /// The `.npy` dtype descriptor, e.g. `<f4`.
    static var npyDescriptor: String { get }
}

extension Float: BLASScalar {
    public static var npyDescriptor: String { "<f4" }
}

extension Double: BLASScalar {
    public static var npyDescriptor: String { "<f8" }
}

/// A dense, row-major (C order) tensor with value semantics.
///
/// The last axis is contiguous. Storage is a Swift array, so copies are cheap until written.
public struct Tensor<Element: BLASScalar>: Sendable, Equatable {
    /// The extent of each axis.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Element]

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Element = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "[Tensor.init] negative extent in shape \(shape)")
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor wrapping `scalars` in the given shape.
    public init(shape: [Int], scalars: [Element]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "[Tensor.init] shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Number of elements.
    public var count: Int { scalars.count }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Rows of a matrix (first axis).
    public var rows: Int { shape.first ?? 1 }
    /// Elements per row: the product of all axes after the first.
    public var columns: Int { shape.dropFirst().reduce(1, *) }

    /// The same scalars viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Element `(i, j)` of a matrix.
    @inlinable
    public subscript(i: Int, j: Int) -> Element {
        get { scalars[i * columns + j] }
        set { scalars[i * columns + j] = newValue }
    }

    /// Rows `indices` of a matrix (or the first-axis slices of any tensor), in the order given.
    public func gatherRows(_ indices: some Collection<Int>) -> Tensor {
        let width = columns
        var out = [Element](repeating: 0, count: indices.count * width)
        out.withUnsafeMutableBufferPointer { dst in
            scalars.withUnsafeBufferPointer { src in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "[gatherRows] row \(i) out of range 0..<\(rows)")
                    let from = src.baseAddress! + i * width
                    (dst.baseAddress! + r * width).update(from: from, count: width)
                }
            }
        }
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(shape: newShape, scalars: out)
    }

    /// Rows `range` of a matrix.
    public func rows(_ range: Range<Int>) -> Tensor {
        gatherRows(range)
    }

    /// Converts every element to another scalar type.
    public func converted<Other: BLASScalar>(to: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }

    /// Whether every element is finite (no NaN, no infinity).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}

public typealias FloatTensor = Tensor<Float>
public typealias DoubleTensor = Tensor<Double>
