// Direct "same" convolution for small channel counts, where an im2col patch matrix (k² copies of
// every input plane) costs more memory traffic than the arithmetic it feeds.
//
// Layout. Each input plane is copied once into a zero-bordered plane of (H + 2p) rows of
// Wp = W + 2p scalars. Output pixel (h, w) is computed at the flat position q = h·Wp + w; its tap
// (i, j) then reads the padded plane at q + i·Wp + j, a fixed offset for every pixel, so a run of
// consecutive q is a run of consecutive loads. Positions with w ≥ W (2p per row) are computed
// and dropped when the result is copied out.
//
// Kernels. The tiles keep a few output channels × a run of flat positions in registers: AVX-512
// (ConvKernelsAVX512.c) where the CPU has it, else AVX2 + FMA (ConvKernelsAVX2.c), else the
// portable loop here. Every output is summed in the same fixed order (c, i, j), so results are
// reproducible; the two vector kernels use one FMA per term and agree bit for bit.
#include "ConvKernels.h"
#include "ConvKernelsInternal.h"

#include <string.h>

/// The portable kernel's tile.
#define TILE_O 4
#define TILE_Q 24

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86_KERNELS 1
#endif

conv_isa conv_selected_isa(void) {
#ifdef HAVE_X86_KERNELS
    static int cached = -1;
    if (cached < 0) {
        if (__builtin_cpu_supports("avx512f")) cached = conv_isa_avx512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cached = conv_isa_avx2;
        else cached = conv_isa_portable;
    }
    return (conv_isa)cached;
#else
    return conv_isa_portable;
#endif
}

int conv_has_avx512vl(void) {
#ifdef HAVE_X86_KERNELS
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    return cached;
#else
    return 0;
#endif
}

int conv_tile_outputs(conv_isa isa) { return isa == conv_isa_avx512 ? 8 : isa == conv_isa_avx2 ? 6 : TILE_O; }

int accordion_conv_best_kernel(void) { return (int)conv_selected_isa(); }

const char *accordion_conv_kernel_name(int kernel) {
    switch (kernel) {
    case conv_isa_avx512: return "avx512";
    case conv_isa_avx2: return "avx2";
    default: return "portable";
    }
}

/// A kernel the caller names, no better than this CPU runs.
static conv_isa usable(int kernel) {
    int best = (int)conv_selected_isa();
    return (conv_isa)(kernel < 0 ? 0 : kernel > best ? best : kernel);
}

/// Row copies: clang turns these loops into memcpy/memset calls. Keeping them as inline loops
/// (`no_builtin`) measured no faster on Zen 4: the copies are bound by memory traffic, not calls.
static inline void copy_row(float *restrict dst, const float *restrict src, int n) {
    for (int i = 0; i < n; i++) dst[i] = src[i];
}

static inline void zero_row(float *dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = 0;
}

size_t accordion_conv_packed_count(int outputs, int inputs, int k, int kernel) {
    return (size_t)conv_round_up(outputs, conv_tile_outputs(usable(kernel))) * (size_t)inputs * (size_t)(k * k);
}

void accordion_conv_pack(const float *w, int outputs, int inputs, int k, int adjoint, int kernel, float *packed) {
    // The packed convolution's own output and input channel counts.
    int po = adjoint ? inputs : outputs, pc = adjoint ? outputs : inputs, kk = k * k;
    int tile = conv_tile_outputs(usable(kernel));
    for (int ob = 0; ob < conv_round_up(po, tile); ob += tile) {
        for (int c = 0; c < pc; c++) {
            for (int t = 0; t < kk; t++) {
                for (int r = 0; r < tile; r++) {
                    int o = ob + r;
                    float v = 0;
                    if (o < po) {
                        // adjoint: W'[o' = c_in][c' = o_out][t] = W[c'][o'][kk − 1 − t]
                        v = adjoint ? w[((size_t)c * inputs + o) * kk + (kk - 1 - t)]
                                    : w[((size_t)o * inputs + c) * kk + t];
                    }
                    *packed++ = v;
                }
            }
        }
    }
}

/// Positions per AVX-512 tile: the largest of 48, 32, 16 that pads the plane's flat positions
/// by at most 5 % (28×28: 48; 14×14: 32; 7×7: 32), else the one that pads least.
static int avx512_tile_positions(int flat) {
    int best = 16;
    for (int m = 3; m >= 1; m--) {
        int pad = conv_round_up(flat, 16 * m) - flat;
        if (pad * 20 <= flat) return 16 * m;
        if (conv_round_up(flat, 16 * m) < conv_round_up(flat, best)) best = 16 * m;
    }
    return best;
}

conv_layout conv_make_layout(int height, int width, int k, conv_isa isa) {
    int p = k / 2;
    conv_layout l;
    l.wp = width + 2 * p;
    l.flat = height * l.wp;
    l.tile_q = isa == conv_isa_avx512 ? avx512_tile_positions(l.flat) : isa == conv_isa_avx2 ? 16 : TILE_Q;
    l.flat_r = conv_round_up(l.flat, l.tile_q);
    l.plane = conv_round_up(l.flat_r + (k - 1) * (l.wp + 1), 16);
    if (l.plane < (height + 2 * p) * l.wp) l.plane = conv_round_up((height + 2 * p) * l.wp, 16);
    return l;
}

size_t accordion_conv_scratch_count(int inputs, int outputs, int height, int width, int k, int kernel) {
    conv_isa isa = usable(kernel);
    conv_layout l = conv_make_layout(height, width, k, isa);
    // Output rows for the tiles, or gradient rows padded to 4 for the weight gradient.
    int rows = conv_round_up(outputs, conv_tile_outputs(isa));
    if (rows < conv_round_up(outputs, 4)) rows = conv_round_up(outputs, 4);
    return (size_t)inputs * l.plane + (size_t)rows * l.flat_r;
}

static void pad_planes(const float *x, int inputs, int height, int width, int k, conv_layout l, float *xp) {
    int p = k / 2;
    for (int c = 0; c < inputs; c++) {
        float *dst = xp + (size_t)c * l.plane;
        const float *src = x + (size_t)c * height * width;
        memset(dst, 0, sizeof(float) * (size_t)(p * l.wp + p));
        for (int h = 0; h < height; h++) {
            float *row = dst + (size_t)(h + p) * l.wp + p;
            copy_row(row, src + (size_t)h * width, width);
            // The right border of this row and the left border of the next are adjacent.
            zero_row(row + width, 2 * p);
        }
        size_t used = (size_t)(height + p) * l.wp + p;
        memset(dst + used, 0, sizeof(float) * ((size_t)l.plane - used));
    }
}

static void copy_out(const float *yflat, int outputs, int height, int width, conv_layout l, float *y) {
    for (int o = 0; o < outputs; o++) {
        const float *src = yflat + (size_t)o * l.flat_r;
        float *dst = y + (size_t)o * height * width;
        for (int h = 0; h < height; h++) copy_row(dst + (size_t)h * width, src + (size_t)h * l.wp, width);
    }
}

static void tiles_portable(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs, float *yflat) {
    int kk = k * k;
    for (int ob = 0; ob < conv_round_up(outputs, TILE_O); ob += TILE_O) {
        const float *wb = packed + (size_t)(ob / TILE_O) * inputs * kk * TILE_O;
        for (int q = 0; q < l.flat_r; q += TILE_Q) {
            float acc[TILE_O][TILE_Q] = {{0}};
            const float *w = wb;
            for (int c = 0; c < inputs; c++) {
                const float *xc = xp + (size_t)c * l.plane + q;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        const float *s = xc + i * l.wp + j;
                        for (int r = 0; r < TILE_O; r++) {
                            for (int v = 0; v < TILE_Q; v++) acc[r][v] += w[r] * s[v];
                        }
                        w += TILE_O;
                    }
                }
            }
            for (int r = 0; r < TILE_O; r++) memcpy(yflat + (size_t)(ob + r) * l.flat_r + q, acc[r], sizeof(acc[r]));
        }
    }
}


/// dy copied to flat positions (row stride Wp) with the junk columns and the tail zeroed, so that
/// they add nothing to the weight gradient.
static void flatten_gradient(const float *dy, int outputs, int height, int width, conv_layout l, float *dyflat) {
    for (int o = 0; o < conv_round_up(outputs, TILE_O); o++) {
        float *dst = dyflat + (size_t)o * l.flat_r;
        if (o >= outputs) {
            memset(dst, 0, sizeof(float) * (size_t)l.flat_r);
            continue;
        }
        const float *src = dy + (size_t)o * height * width;
        for (int h = 0; h < height; h++) {
            copy_row(dst + (size_t)h * l.wp, src + (size_t)h * width, width);
            zero_row(dst + (size_t)h * l.wp + width, l.wp - width);
        }
        memset(dst + l.flat, 0, sizeof(float) * (size_t)(l.flat_r - l.flat));
    }
}

static void weight_gradient_portable(const float *xp, const float *dyflat, int inputs, int outputs, int k, conv_layout l,
                                     float *dw) {
    int kk = k * k;
    for (int o = 0; o < outputs; o++) {
        const float *g = dyflat + (size_t)o * l.flat_r;
        for (int c = 0; c < inputs; c++) {
            for (int t = 0; t < kk; t++) {
                const float *s = xp + (size_t)c * l.plane + (t / k) * l.wp + t % k;
                float acc = 0;
                for (int q = 0; q < l.flat_r; q++) acc += g[q] * s[q];
                dw[((size_t)o * inputs + c) * kk + t] += acc;
            }
        }
    }
}


void accordion_conv_same(const float *x, int inputs, int height, int width, int k,
                         const float *packed, int outputs, int kernel, float *y, float *scratch) {
    conv_isa isa = usable(kernel);
    conv_layout l = conv_make_layout(height, width, k, isa);
    float *xp = scratch, *yflat = scratch + (size_t)inputs * l.plane;
    pad_planes(x, inputs, height, width, k, l, xp);
    switch (isa) {
#ifdef HAVE_X86_KERNELS
    case conv_isa_avx512: conv_tiles_avx512(xp, inputs, k, l, packed, outputs, yflat); break;
    case conv_isa_avx2: conv_tiles_avx2(xp, inputs, k, l, packed, outputs, yflat); break;
#endif
    default: tiles_portable(xp, inputs, k, l, packed, outputs, yflat); break;
    }
    copy_out(yflat, outputs, height, width, l, y);
}

void accordion_conv_same_weight_gradient(const float *x, const float *dy, int inputs, int outputs, int height,
                                         int width, int k, int kernel, float *dw, float *scratch) {
    conv_isa isa = usable(kernel);
    conv_layout l = conv_make_layout(height, width, k, isa);
    float *xp = scratch, *dyflat = scratch + (size_t)inputs * l.plane;
    pad_planes(x, inputs, height, width, k, l, xp);
    flatten_gradient(dy, outputs, height, width, l, dyflat);
#ifdef HAVE_X86_KERNELS
    if (isa != conv_isa_portable) {
        conv_weight_gradient_avx2(xp, dyflat, inputs, outputs, k, l, dw);
        return;
    }
#endif
    weight_gradient_portable(xp, dyflat, inputs, outputs, k, l, dw);
}
