/// The patch matrix of a 2-D convolution and its adjoint.
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

    /// The output columns `ow` whose tap `j` lands inside the image: `0 ≤ ow·s − p + j < W`.
    @inline(__always)
    func validColumns(tap j: Int) -> Range<Int> {
        let shift = padding - j
        let lo = shift > 0 ? (shift + stride - 1) / stride : 0
        let last = width - 1 + shift
        let hi = last < 0 ? 0 : min(outputWidth, last / stride + 1)
        return lo..<max(lo, hi)
    }

    /// Stride 1 with "same" padding: every patch-matrix row is the image plane shifted by
    /// `(i − p, j − p)`, so it is one contiguous copy plus zeroed borders.
    var isShiftedPlane: Bool {
        stride == 1 && outputHeight == height && outputWidth == width && padding < width && padding < height
    }

    /// For tap `(i, j)` of a shifted-plane convolution: the flat output range whose source
    /// `q + offset` lies inside the plane, and `offset = (i − p)·W + (j − p)`. Within that range
    /// only the column `ow` with `ow + j − p` outside `0..<W` is wrong (it wrapped to the next row).
    @inline(__always)
    func shiftedRange(tap i: Int, _ j: Int) -> (range: Range<Int>, offset: Int) {
        let di = i - padding, dj = j - padding
        let offset = di * width + dj
        let plane = height * width
        let lo = max(max(0, -di) * width, -offset)
        let hi = min(min(height, height - di) * width, plane - offset)
        return (lo..<max(lo, hi), offset)
    }

    /// Zeroes the columns of a shifted-plane row whose tap `j` falls outside the image.
    @inline(__always)
    func zeroWrappedColumns(_ row: UnsafeMutablePointer<Float>, tap j: Int) {
        let dj = j - padding
        let first = dj < 0 ? 0 : width - dj, count = abs(dj)
        var p = row + first
        for _ in 0..<height {
            for k in 0..<count { p[k] = 0 }
            p += width
        }
    }

    /// Fills the patch matrix of example `x` into `cols` (row stride `ld`).
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, ld: Int) {
        let ho = outputHeight, wo = outputWidth
        if isShiftedPlane {
            let plane = height * width
            for c in 0..<channels {
                for i in 0..<kernelHeight {
                    for j in 0..<kernelWidth {
                        let row = cols + ((c * kernelHeight + i) * kernelWidth + j) * ld
                        let (range, offset) = shiftedRange(tap: i, j)
                        row.update(repeating: 0, count: range.lowerBound)
                        (row + range.lowerBound).update(from: x + c * plane + range.lowerBound + offset, count: range.count)
                        (row + range.upperBound).update(repeating: 0, count: plane - range.upperBound)
                        if j != padding { zeroWrappedColumns(row, tap: j) }
                    }
                }
            }
            return
        }
        for c in 0..<channels {
            for i in 0..<kernelHeight {
                for j in 0..<kernelWidth {
                    let row = cols + ((c * kernelHeight + i) * kernelWidth + j) * ld
                    let valid = validColumns(tap: j)
                    for oh in 0..<ho {
                        let dst = row + oh * wo
                        let ih = oh * stride - padding + i
                        guard ih >= 0 && ih < height else {
                            dst.update(repeating: 0, count: wo)
                            continue
                        }
                        if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
                        if valid.upperBound < wo { (dst + valid.upperBound).update(repeating: 0, count: wo - valid.upperBound) }
                        let src = x + (c * height + ih) * width - padding + j
                        if stride == 1 {
                            Kernels.copy(src + valid.lowerBound, into: dst + valid.lowerBound, count: valid.count)
                        } else {
                            var from = src + valid.lowerBound * stride
                            var to = dst + valid.lowerBound
                            for _ in valid {
                                to.pointee = from.pointee
                                to += 1
                                from += stride
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the patch-matrix gradient `dcols` (row stride `ld`) onto the example gradient `dx`.
    /// `dx` must be zeroed (or hold other contributions) beforehand. For shifted-plane
    /// convolutions the entries of `dcols` that stand for padding are zeroed on the way.
    func col2im(_ dcols: UnsafeMutablePointer<Float>, ld: Int, into dx: UnsafeMutablePointer<Float>) {
        let ho = outputHeight, wo = outputWidth
        if isShiftedPlane {
            let plane = height * width
            for c in 0..<channels {
                for i in 0..<kernelHeight {
                    for j in 0..<kernelWidth {
                        let row = dcols + ((c * kernelHeight + i) * kernelWidth + j) * ld
                        let (range, offset) = shiftedRange(tap: i, j)
                        if j != padding { zeroWrappedColumns(row, tap: j) }
                        Kernels.accumulate(row + range.lowerBound, into: dx + c * plane + range.lowerBound + offset,
                                           count: range.count)
                    }
                }
            }
            return
        }
        for c in 0..<channels {
            for i in 0..<kernelHeight {
                for j in 0..<kernelWidth {
                    let row = dcols + ((c * kernelHeight + i) * kernelWidth + j) * ld
                    let valid = validColumns(tap: j)
                    for oh in 0..<ho {
                        let ih = oh * stride - padding + i
                        guard ih >= 0 && ih < height else { continue }
                        let src = row + oh * wo
                        let dst = dx + (c * height + ih) * width - padding + j
                        if stride == 1 {
                            Kernels.accumulate(src + valid.lowerBound, into: dst + valid.lowerBound, count: valid.count)
                        } else {
                            var from = src + valid.lowerBound
                            var to = dst + valid.lowerBound * stride
                            for _ in valid {
                                to.pointee += from.pointee
                                from += 1
                                to += stride
                            }
                        }
                    }
                }
            }
        }
    }
}
