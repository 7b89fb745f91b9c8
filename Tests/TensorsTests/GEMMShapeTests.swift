import Testing
@testable import Tensors

/// OpenBLAS's SGEMM against a Float64 reference at every shape class the training engine calls it
/// with, whichever kernel OpenBLAS picked on this CPU (`BLAS.coreName`). A kernel that computes
/// wrong results for some blocking of m, n, k (the risk of forcing `OPENBLAS_CORETYPE`) fails here.
@Suite("SGEMM at the engine's shapes")
struct GEMMShapeTests {
    /// (what, op(A), op(B), m, n, k): the convolutions still on im2col + GEMM (strided 3×3 and
    /// 1×1 projections of ResNet-8/20, several examples per GEMM) and the dense layers of the
    /// benchmark networks.
    static let shapes: [(String, Transpose, Transpose, Int, Int, Int)] = [
        ("conv 3×3/2 16→32 at 28×28, forward W·cols", .none, .none, 32, 588, 144),
        ("conv 3×3/2 16→32 at 28×28, ∂W = ∂Y·colsᵀ", .none, .transposed, 32, 144, 588),
        ("conv 3×3/2 16→32 at 28×28, ∂cols = Wᵀ·∂Y", .transposed, .none, 144, 588, 32),
        ("conv 3×3/2 32→64 at 14×14, forward", .none, .none, 64, 539, 288),
        ("conv 3×3/2 32→64 at 14×14, ∂W", .none, .transposed, 64, 288, 539),
        ("conv 3×3/2 32→64 at 14×14, ∂cols", .transposed, .none, 288, 539, 64),
        ("conv 3×3 64→64 at 8×8 (∂W on small planes)", .none, .transposed, 64, 576, 512),
        ("projection 1×1/2 16→32, forward", .none, .none, 32, 588, 16),
        ("projection 1×1/2 16→32, ∂W", .none, .transposed, 32, 16, 588),
        ("projection 1×1/2 16→32, ∂x", .transposed, .none, 16, 588, 32),
        ("dense 784→256 batch 64, forward x·Wᵀ", .none, .transposed, 64, 256, 784),
        ("dense 784→256 batch 64, ∂W = ∂yᵀ·x", .transposed, .none, 256, 784, 64),
        ("dense 256→256 batch 64, ∂x = ∂y·W", .none, .none, 64, 256, 256),
        ("dense 1568→128 batch 128 (cnn head), forward", .none, .transposed, 128, 128, 1568),
        ("dense 64→10 batch 128 (resnet fc), ∂W", .transposed, .none, 10, 64, 128),
        ("partial last batch 96 of 60,000, forward", .none, .transposed, 96, 256, 784),
    ]

    @Test("Float32 products agree with Float64 to a few ulps of Σ|aᵢₖ bₖⱼ|", arguments: shapes)
    func matchesFloat64(_ shape: (String, Transpose, Transpose, Int, Int, Int)) {
        let (what, ta, tb, m, n, k) = shape
        var rng = RandomStream(seed: 5, path: "gemm-shapes/\(what)")
        let a: FloatTensor = rng.normalTensor(shape: ta == .none ? [m, k] : [k, m])
        let b: FloatTensor = rng.normalTensor(shape: tb == .none ? [k, n] : [n, k])
        var c = FloatTensor(shape: [m, n], repeating: .nan)
        gemm(a, b, transposeA: ta == .transposed, transposeB: tb == .transposed, into: &c)
        var worst = 0.0, at = (0, 0)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, scale = 0.0
                for p in 0..<k {
                    let x = Double(ta == .none ? a.scalars[i * k + p] : a.scalars[p * m + i])
                    let y = Double(tb == .none ? b.scalars[p * n + j] : b.scalars[j * k + p])
                    sum += x * y
                    scale += abs(x * y)
                }
                let error = abs(Double(c.scalars[i * n + j]) - sum) / scale
                if !(error <= worst) { (worst, at) = (error.isNaN ? .infinity : error, (i, j)) }
            }
        }
        // Float32 accumulation over k terms: well under k·ε relative to the absolute sum.
        #expect(worst <= 1e-5, "\(what) on core \(BLAS.coreName): C[\(at.0), \(at.1)] off by \(worst) of Σ|terms|")
    }

    @Test("The OpenBLAS build, version and kernel are reported")
    func provenance() {
        #expect(BLAS.configuration.hasPrefix("OpenBLAS "), "configuration \(BLAS.configuration)")
        #expect(BLAS.version?.first?.isNumber == true)
        #expect(!BLAS.coreName.isEmpty && BLAS.coreName != "unknown")
        #expect(BLAS.summary.contains("core \(BLAS.coreName)"))
    }

    @Test("The version is read from a configuration string", arguments: [
        ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64", "0.3.21"),
        ("OpenBLAS 0.3.28.dev DYNAMIC_ARCH Haswell", "0.3.28.dev"),
        ("OpenBLAS DYNAMIC_ARCH", nil),
        ("", nil),
    ] as [(String, String?)])
    func versionParsing(_ c: (String, String?)) {
        #expect(BLAS.version(fromConfiguration: c.0) == c.1)
    }
}
