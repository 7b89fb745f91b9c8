import CBLAS

/// Entry points into OpenBLAS: what it runs and general matrix multiply.
///
/// OpenBLAS runs single-threaded; a stage's threads are its own workers (``Parallelism``).
public enum BLAS {
    /// Makes OpenBLAS single-threaded for the rest of the process (the first call; later ones do
    /// nothing): a stage's threads are its own workers, which call OpenBLAS side by side.
    public static func useOneThread() { _ = oneThread }
    private static let oneThread: Void = openblas_set_num_threads(1)

    /// The OpenBLAS thread count in force.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The CPU kernel OpenBLAS selected at load time (e.g. `Haswell`, `Zen`, `SkylakeX`).
    ///
    /// A `DYNAMIC_ARCH` build (Debian's) picks it from `cpuid`, or from `OPENBLAS_CORETYPE` when
    /// that is set; results may differ in the last bits between kernels.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The build description OpenBLAS reports (`openblas_get_config`), e.g.
    /// `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).split(separator: " ").joined(separator: " ")
    }

    /// The OpenBLAS version (`0.3.21`), read from ``configuration``; nil if it names none.
    public static var version: String? { version(fromConfiguration: configuration) }

    /// The version in an `openblas_get_config` string: the first word after `OpenBLAS` that
    /// starts with a digit.
    static func version(fromConfiguration text: String) -> String? {
        let words = text.split(separator: " ")
        guard let at = words.firstIndex(of: "OpenBLAS"), at + 1 < words.count,
              words[at + 1].first?.isNumber == true else { return nil }
        return String(words[at + 1])
    }

    /// One line for provenance and benchmark headers: library, version, kernel and threads,
    /// e.g. `OpenBLAS 0.3.21, core Zen, 1 thread`.
    public static var summary: String {
        let t = threads
        return "OpenBLAS \(version ?? "?"), core \(coreName), \(t) thread\(t == 1 ? "" : "s")"
    }
}

/// Whether an operand of ``gemm(_:_:transposeA:transposeB:alpha:beta:into:)`` is read transposed.
public enum Transpose: Sendable {
    case none, transposed
    @usableFromInline var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// `C ← α·op(A)·op(B) + β·C` on raw row-major buffers.
///
/// `op(A)` is m×k, `op(B)` is k×n, `C` is m×n. `lda`, `ldb`, `ldc` are the row strides of the
/// stored matrices.
@inlinable
public func gemmRaw<E: BLASScalar>(
    _ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: E,
    _ a: UnsafePointer<E>, lda: Int, _ b: UnsafePointer<E>, ldb: Int,
    beta: E, _ c: UnsafeMutablePointer<E>, ldc: Int
) {
    if E.self == Float.self {
        cblas_sgemm(CblasRowMajor, ta.cblas, tb.cblas, Int32(m), Int32(n), Int32(k),
                    Float(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                    Float(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
    } else {
        cblas_dgemm(CblasRowMajor, ta.cblas, tb.cblas, Int32(m), Int32(n), Int32(k),
                    Double(alpha), UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                    Double(beta), UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
    }
}

/// `C ← α·op(A)·op(B) + β·C` for matrices (OpenBLAS `?gemm`).
///
/// - Complexity: O(m·n·k).
public func gemm<E: BLASScalar>(
    _ a: Tensor<E>, _ b: Tensor<E>, transposeA: Bool = false, transposeB: Bool = false,
    alpha: E = 1, beta: E = 0, into c: inout Tensor<E>
) {
    let (m, ka) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
    let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
    precondition(ka == kb,
                 "[gemm] shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") are not aligned")
    precondition(c.rows == m && c.columns == n, "[gemm] output shape \(c.shape) is not (\(m), \(n))")
    if m == 0 || n == 0 { return }
    if ka == 0 {
        for i in c.scalars.indices { c.scalars[i] *= beta }
        return
    }
    a.scalars.withUnsafeBufferPointer { pa in
        b.scalars.withUnsafeBufferPointer { pb in
            c.scalars.withUnsafeMutableBufferPointer { pc in
                gemmRaw(transposeA ? .transposed : .none, transposeB ? .transposed : .none,
                        m: m, n: n, k: ka, alpha: alpha, pa.baseAddress!, lda: a.columns,
                        pb.baseAddress!, ldb: b.columns, beta: beta, pc.baseAddress!, ldc: n)
            }
        }
    }
}

/// `op(A)·op(B)` as a new matrix.
public func matmul<E: BLASScalar>(_ a: Tensor<E>, _ b: Tensor<E>, transposeA: Bool = false,
                                  transposeB: Bool = false) -> Tensor<E> {
    let m = transposeA ? a.columns : a.rows
    let n = transposeB ? b.rows : b.columns
    var c = Tensor<E>(shape: [m, n])
    gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
    return c
}
