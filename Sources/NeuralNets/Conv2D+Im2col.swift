import CConvKernels

/// The patch matrix of a 2-D convolution and its adjoint (in C: `CConvKernels/Patches.c`).
///
/// For one NCHW example `x` of shape `(C, H, W)`, `im2col` fills the `(C·kh·kw) × (Ho·Wo)` matrix
/// whose column `(oh, ow)` holds the receptive field of output pixel `(oh, ow)`, zeros where the
/// field hangs over the padding:
/// ```
/// cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·s − p + i, ow·s − p + j]   (0 outside the image)
/// ```
/// `col2im` is its transpose: it adds every entry of a patch-matrix gradient back onto the input
/// pixel it was copied from. The matrices may sit inside a wider one (`ld` is their row stride), so
/// several examples share one GEMM.
struct ConvGeometry: Equatable {
    var channels: Int, height: Int, width: Int
    var kernelHeight: Int, kernelWidth: Int
    var stride: Int, padding: Int

    var outputHeight: Int { (height + 2 * padding - kernelHeight) / stride + 1 }
    var outputWidth: Int { (width + 2 * padding - kernelWidth) / stride + 1 }
    /// Rows of the patch matrix.
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the patch matrix: output pixels per channel.
    var pixels: Int { outputHeight * outputWidth }
    var inputSize: Int { channels * height * width }
    /// A 1×1 kernel with stride 1 and no padding: the patch matrix is the input itself.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0 }

    /// Fills the patch matrix of example `x` into `cols` (row stride `ld`).
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, ld: Int) {
        accordion_im2col(x, Int32(channels), Int32(height), Int32(width), Int32(kernelHeight), Int32(kernelWidth),
                         Int32(stride), Int32(padding), cols, ld, Kernels.planeKernel)
    }

    /// Adds the patch-matrix gradient `dcols` (row stride `ld`) onto the example gradient `dx`.
    /// `dx` must be zeroed (or hold other contributions) beforehand. For stride-1 "same"
    /// convolutions the entries of `dcols` that stand for padding are zeroed on the way.
    func col2im(_ dcols: UnsafeMutablePointer<Float>, ld: Int, into dx: UnsafeMutablePointer<Float>) {
        accordion_col2im(dcols, ld, Int32(channels), Int32(height), Int32(width), Int32(kernelHeight),
                         Int32(kernelWidth), Int32(stride), Int32(padding), dx, Kernels.planeKernel)
    }
}
