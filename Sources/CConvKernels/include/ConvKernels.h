#ifndef ACCORDION_CONV_KERNELS_H
#define ACCORDION_CONV_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Direct "same" convolutions (stride 1, odd k×k kernel, padding k/2) on NCHW planes, without a
/// patch matrix. See ConvKernels.c for the layout and the register tiling.
///
/// `kernel` names the instruction set of the register tiles: 0 portable, 1 AVX2 + FMA,
/// 2 AVX-512. A kernel better than the CPU runs is lowered to the best it does, so
/// `accordion_conv_best_kernel()` is what training uses and tests may name lower ones. Packed
/// weights and scratch sizes depend on the kernel: pass the same one to every call.

/// The best kernel this CPU runs.
int accordion_conv_best_kernel(void);

/// "avx512", "avx2" or "portable".
const char *accordion_conv_kernel_name(int kernel);

/// Scalars of the packed weights for `outputs` output channels, `inputs` input channels, k×k taps.
size_t accordion_conv_packed_count(int outputs, int inputs, int k, int kernel);

/// Packs `w` (PyTorch layout O×C×k×k) for `accordion_conv_same`. With `adjoint` = 0 the packed
/// convolution maps C channels to O; with `adjoint` = 1 it maps O channels to C with the taps
/// flipped, which is the input gradient of the first: dx = conv(dy, flip(Wᵀ)).
void accordion_conv_pack(const float *w, int outputs, int inputs, int k, int adjoint, int kernel, float *packed);

/// Scalars of scratch memory `accordion_conv_same` and the weight gradient need.
size_t accordion_conv_scratch_count(int inputs, int outputs, int height, int width, int k, int kernel);

/// y[o, h, w] = Σ_{c,i,j} W[o, c, i, j] · x[c, h + i − k/2, w + j − k/2] for one example
/// (zero outside the image); y is overwritten. `packed` comes from `accordion_conv_pack`
/// (`inputs`, `outputs` here are the packed convolution's own).
void accordion_conv_same(const float *x, int inputs, int height, int width, int k,
                         const float *packed, int outputs, int kernel, float *y, float *scratch);

/// dw[o, c, i, j] += Σ_{h,w} dy[o, h, w] · x[c, h + i − k/2, w + j − k/2] for one example: the
/// weight gradient of `accordion_conv_same` (PyTorch layout O×C×k×k, accumulated).
/// `scratch` holds `accordion_conv_scratch_count(inputs, outputs, height, width, k, kernel)` scalars.
void accordion_conv_same_weight_gradient(const float *x, const float *dy, int inputs, int outputs, int height,
                                         int width, int k, int kernel, float *dw, float *scratch);

/// y = max over each 2×2 window (stride 2, no padding) of `planes` H×W planes, ⌊H/2⌋ × ⌊W/2⌋
/// outputs per plane. Unless `index` is null it receives each output's arg-max, the offset within
/// its input plane: ties go to the first candidate in row-major order, and NaN wins. `kernel` as
/// above (AVX-512 or the portable loop; every kernel gives the same bits).
void accordion_maxpool2x2(const float *x, int planes, int height, int width, float *y, int32_t *index, int kernel);

/// The input gradient of `accordion_maxpool2x2` for `planes` H×W planes: each output's gradient
/// `dy` goes to its arg-max `index` (offsets within the plane, as the forward pass records them),
/// every other scalar of `dx` is zero. Unless `y` (the pooled outputs) is null, a window's
/// gradient is dropped where its maximum is not positive (the mask of a ReLU before the pooling).
/// Each written value is 0 + g, as adding onto a zeroed plane gives. `kernel` as above.
void accordion_maxpool2x2_backward(const float *dy, const float *y, const int32_t *index, int planes, int height,
                                   int width, float *dx, int kernel);

/// `accordion_maxpool2x2` of max(0, (x − centre)·scale + shift), each candidate computed as
/// `accordion_batchnorm_sweep` computes it (the same bits): `x` and the outputs start at plane
/// `first` of the batch, plane q being of channel q mod `channels`.
void accordion_batchnorm_relu_maxpool2x2(const float *x, int first, int planes, int height, int width, int channels,
                                         const float *scale, const float *centre, const float *shift, float *y,
                                         int32_t *index, int kernel);

/// The patch matrix of one C×H×W example for a kh×kw convolution with `stride` and `padding`:
/// row (c·kh + i)·kw + j of `cols` (rows `ld` scalars apart) holds x[c, oh·stride − padding + i,
/// ow·stride − padding + j] at column oh·Wo + ow, 0 outside the image. `kernel` as above; every
/// kernel gives the same bits.
void accordion_im2col(const float *x, int channels, int height, int width, int kh, int kw, int stride,
                      int padding, float *cols, size_t ld, int kernel);

/// The adjoint of `accordion_im2col`: adds each entry of `dcols` onto the pixel of `dx` it was
/// copied from, tap after tap, so every kernel gives the same bits. For stride-1 "same" geometries
/// the entries of `dcols` that stand for padding are zeroed on the way.
void accordion_col2im(float *dcols, size_t ld, int channels, int height, int width, int kh, int kw, int stride,
                      int padding, float *dx, int kernel);

// Batch normalisation over planes (Normalization.c). `kernel` as for the convolutions: the
// AVX2 build where it is at least 1 and the CPU has AVX2, else the baseline; both give the same bits.

/// out[q] = Σ_i x_q[i] for the planes q = first ..< first + count of `p` scalars (x_q = x + q·p).
void accordion_plane_sums(const float *x, int first, int count, int p, double *out, int kernel);

/// out[q] = Σ_i (x_q[i] − c_q)², c_q = centres[q mod channels] (planes as above).
void accordion_plane_squares(const float *x, int first, int count, int p, const float *centres, int channels,
                             double *out, int kernel);

/// sums[q] = Σ_i g_q[i] and moments[q] = Σ_i g_q[i]·(x_q[i] − c_q), g and x laid out alike; with
/// `mask` (else null) g is first passed through the ReLU whose output the mask is: g·[mask > 0].
void accordion_plane_moments(const float *g, const float *x, const float *mask, int first, int count, int p,
                             const float *centres, int channels, double *sums, double *moments, int kernel);

/// y = (x − centre[c])·scale[c] + shift[c] over planes first ..< first + count of `p` scalars (plane q
/// of channel c = q mod channels), then max(·, 0) with NaN kept when `relu_after`.
void accordion_batchnorm_sweep(const float *x, float *y, int first, int count, int p, int channels,
                               const float *scale, const float *centre, const float *shift, int relu_after, int kernel);

/// dx = k[c]·(n·g − sum[c] − (x − mu[c])·slope[c]) over planes as above, g = dy, or dy·[mask > 0].
void accordion_batchnorm_input_gradient(const float *dy, const float *x, const float *mask, float *dx, int first,
                                        int count, int p, int channels, const float *k, float n, const float *sum,
                                        const float *mu, const float *slope, int kernel);

#endif
