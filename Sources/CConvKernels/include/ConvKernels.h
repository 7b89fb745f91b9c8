#ifndef ACCORDION_CONV_KERNELS_H
#define ACCORDION_CONV_KERNELS_H

#include <stddef.h>

/// Direct "same" convolutions (stride 1, odd k×k kernel, padding k/2) on NCHW planes, without a
/// patch matrix. See ConvKernels.c for the layout and the register tiling.

/// Scalars of the packed weights for `outputs` output channels, `inputs` input channels, k×k taps.
size_t accordion_conv_packed_count(int outputs, int inputs, int k);

/// Packs `w` (PyTorch layout O×C×k×k) for `accordion_conv_same`. With `adjoint` = 0 the packed
/// convolution maps C channels to O; with `adjoint` = 1 it maps O channels to C with the taps
/// flipped, which is the input gradient of the first: dx = conv(dy, flip(Wᵀ)).
void accordion_conv_pack(const float *w, int outputs, int inputs, int k, int adjoint, float *packed);

/// Scalars of scratch memory `accordion_conv_same` needs.
size_t accordion_conv_scratch_count(int inputs, int outputs, int height, int width, int k);

/// y[o, h, w] = Σ_{c,i,j} W[o, c, i, j] · x[c, h + i − k/2, w + j − k/2] for one example
/// (zero outside the image); y is overwritten. `packed` comes from `accordion_conv_pack`
/// (`inputs`, `outputs` here are the packed convolution's own).
void accordion_conv_same(const float *x, int inputs, int height, int width, int k,
                         const float *packed, int outputs, float *y, float *scratch);

/// dw[o, c, i, j] += Σ_{h,w} dy[o, h, w] · x[c, h + i − k/2, w + j − k/2] for one example: the
/// weight gradient of `accordion_conv_same` (PyTorch layout O×C×k×k, accumulated).
/// `scratch` holds `accordion_conv_scratch_count(inputs, outputs, height, width, k)` scalars.
void accordion_conv_same_weight_gradient(const float *x, const float *dy, int inputs, int outputs, int height,
                                         int width, int k, float *dw, float *scratch);

/// Whether the AVX2+FMA kernel runs on this CPU (otherwise a portable loop does).
int accordion_conv_uses_avx2(void);

#endif
