// What the kernel files of CConvKernels share: the padded-plane layout and the kernel choice.
#ifndef ACCORDION_CONV_KERNELS_INTERNAL_H
#define ACCORDION_CONV_KERNELS_INTERNAL_H

#include <stddef.h>

/// The instruction sets a convolution kernel is written for, best last.
typedef enum { conv_isa_portable = 0, conv_isa_avx2 = 1, conv_isa_avx512 = 2 } conv_isa;

/// The best kernel this CPU runs (AVX-512 needs the OS to save the zmm registers, which the
/// compiler's CPU check includes).
conv_isa conv_selected_isa(void);

/// Whether this CPU runs AVX-512 with its 128/256-bit forms (VL), which the pooling and patch
/// kernels need on top of what `conv_selected_isa` checks.
int conv_has_avx512vl(void);

/// Output channels per register tile of `isa`'s kernel: the packed weights and the flat output
/// rows are padded to a multiple of it.
int conv_tile_outputs(conv_isa isa);

/// Geometry shared by the kernels.
typedef struct {
    int wp;        // padded row length W + 2p
    int flat;      // H · Wp output positions, junk columns included
    int tile_q;    // positions per register tile
    int flat_r;    // flat rounded up to tile_q
    int plane;     // scalars per padded input plane, with slack for the last tile's reads
} conv_layout;

conv_layout conv_make_layout(int height, int width, int k, conv_isa isa);

static inline int conv_round_up(int n, int m) { return (n + m - 1) / m * m; }

/// The tiles of y = conv(x, W) over flat positions: `xp` holds `inputs` padded planes, `packed`
/// the weights packed for the same kernel, `yflat` receives round_up(outputs, tile) rows of
/// `flat_r` positions.
void conv_tiles_avx2(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs,
                     float *yflat);
void conv_tiles_avx512(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs,
                       float *yflat);

/// dw[o, c, tap] += Σ_q dyflat[o, q] · xp[c, q + offset(tap)] (`dyflat` rows padded to 4).
void conv_weight_gradient_avx2(const float *xp, const float *dyflat, int inputs, int outputs, int k, conv_layout l,
                               float *dw);

#endif
