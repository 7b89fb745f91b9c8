// Direct "same" convolution for small channel counts, where an im2col patch matrix (k² copies of
// every input plane) costs more memory traffic than the arithmetic it feeds.
//
// Layout. Each input plane is copied once into a zero-bordered plane of (H + 2p) rows of
// Wp = W + 2p scalars. Output pixel (h, w) is computed at the flat position q = h·Wp + w; its tap
// (i, j) then reads the padded plane at q + i·Wp + j, a fixed offset for every pixel, so a run of
// consecutive q is a run of consecutive loads. Positions with w ≥ W (2p per row) are computed
// and dropped when the result is copied out.
//
// Register tile (AVX2): 4 output channels × 24 flat positions = 12 accumulators of 8 lanes. Per
// (input channel, tap): 3 unaligned loads, 4 weight broadcasts, 12 FMAs, so the loop is bound by
// the two FMA pipes rather than by loads. Every output is summed in the same fixed order
// (c, i, j), so results are reproducible.
#include "ConvKernels.h"

#include <string.h>

#define TILE_O 4
#define TILE_Q 24

static inline int round_up(int n, int m) { return (n + m - 1) / m * m; }

/// Rows here are a few dozen scalars: an inline loop beats a memcpy call.
static inline void copy_row(float *restrict dst, const float *restrict src, int n) {
    for (int i = 0; i < n; i++) dst[i] = src[i];
}

static inline void zero_row(float *dst, int n) {
    for (int i = 0; i < n; i++) dst[i] = 0;
}

size_t accordion_conv_packed_count(int outputs, int inputs, int k) {
    return (size_t)round_up(outputs, TILE_O) * (size_t)inputs * (size_t)(k * k);
}

void accordion_conv_pack(const float *w, int outputs, int inputs, int k, int adjoint, float *packed) {
    // The packed convolution's own output and input channel counts.
    int po = adjoint ? inputs : outputs, pc = adjoint ? outputs : inputs, kk = k * k;
    for (int ob = 0; ob < round_up(po, TILE_O); ob += TILE_O) {
        for (int c = 0; c < pc; c++) {
            for (int t = 0; t < kk; t++) {
                for (int r = 0; r < TILE_O; r++) {
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

/// Geometry shared by the kernels.
typedef struct {
    int wp;        // padded row length W + 2p
    int flat;      // H · Wp output positions, junk columns included
    int flat_r;    // flat rounded up to the tile
    int plane;     // scalars per padded input plane, with slack for the last tile's reads
} layout;

static layout make_layout(int height, int width, int k) {
    int p = k / 2;
    layout l;
    l.wp = width + 2 * p;
    l.flat = height * l.wp;
    l.flat_r = round_up(l.flat, TILE_Q);
    l.plane = round_up(l.flat_r + (k - 1) * (l.wp + 1), 8);
    if (l.plane < (height + 2 * p) * l.wp) l.plane = round_up((height + 2 * p) * l.wp, 8);
    return l;
}

size_t accordion_conv_scratch_count(int inputs, int outputs, int height, int width, int k) {
    layout l = make_layout(height, width, k);
    return (size_t)inputs * l.plane + (size_t)round_up(outputs, TILE_O) * l.flat_r;
}

__attribute__((no_builtin)) static void pad_planes(const float *x, int inputs, int height, int width, int k, layout l, float *xp) {
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

__attribute__((no_builtin)) static void copy_out(const float *yflat, int outputs, int height, int width, layout l, float *y) {
    for (int o = 0; o < outputs; o++) {
        const float *src = yflat + (size_t)o * l.flat_r;
        float *dst = y + (size_t)o * height * width;
        for (int h = 0; h < height; h++) copy_row(dst + (size_t)h * width, src + (size_t)h * l.wp, width);
    }
}

static void tiles_portable(const float *xp, int inputs, int k, layout l, const float *packed, int outputs, float *yflat) {
    int kk = k * k;
    for (int ob = 0; ob < round_up(outputs, TILE_O); ob += TILE_O) {
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
__attribute__((no_builtin)) static void flatten_gradient(const float *dy, int outputs, int height, int width, layout l, float *dyflat) {
    for (int o = 0; o < round_up(outputs, TILE_O); o++) {
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

static void weight_gradient_portable(const float *xp, const float *dyflat, int inputs, int outputs, int k, layout l,
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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

__attribute__((target("avx2,fma")))
static void tiles_avx2(const float *xp, int inputs, int k, layout l, const float *packed, int outputs, float *yflat) {
    int kk = k * k;
    for (int ob = 0; ob < round_up(outputs, TILE_O); ob += TILE_O) {
        const float *wb = packed + (size_t)(ob / TILE_O) * inputs * kk * TILE_O;
        float *y0 = yflat + (size_t)ob * l.flat_r;
        for (int q = 0; q < l.flat_r; q += TILE_Q) {
            __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
            __m256 a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
            const float *w = wb;
            for (int c = 0; c < inputs; c++) {
                const float *xc = xp + (size_t)c * l.plane + q;
                for (int i = 0; i < k; i++) {
                    const float *s = xc + i * l.wp;
                    for (int j = 0; j < k; j++, s++, w += TILE_O) {
                        __m256 x0 = _mm256_loadu_ps(s), x1 = _mm256_loadu_ps(s + 8), x2 = _mm256_loadu_ps(s + 16);
                        __m256 b = _mm256_broadcast_ss(w);
                        a00 = _mm256_fmadd_ps(b, x0, a00); a01 = _mm256_fmadd_ps(b, x1, a01); a02 = _mm256_fmadd_ps(b, x2, a02);
                        b = _mm256_broadcast_ss(w + 1);
                        a10 = _mm256_fmadd_ps(b, x0, a10); a11 = _mm256_fmadd_ps(b, x1, a11); a12 = _mm256_fmadd_ps(b, x2, a12);
                        b = _mm256_broadcast_ss(w + 2);
                        a20 = _mm256_fmadd_ps(b, x0, a20); a21 = _mm256_fmadd_ps(b, x1, a21); a22 = _mm256_fmadd_ps(b, x2, a22);
                        b = _mm256_broadcast_ss(w + 3);
                        a30 = _mm256_fmadd_ps(b, x0, a30); a31 = _mm256_fmadd_ps(b, x1, a31); a32 = _mm256_fmadd_ps(b, x2, a32);
                    }
                }
            }
            float *d = y0 + q;
            size_t s = (size_t)l.flat_r;
            _mm256_storeu_ps(d, a00); _mm256_storeu_ps(d + 8, a01); _mm256_storeu_ps(d + 16, a02);
            _mm256_storeu_ps(d + s, a10); _mm256_storeu_ps(d + s + 8, a11); _mm256_storeu_ps(d + s + 16, a12);
            _mm256_storeu_ps(d + 2 * s, a20); _mm256_storeu_ps(d + 2 * s + 8, a21); _mm256_storeu_ps(d + 2 * s + 16, a22);
            _mm256_storeu_ps(d + 3 * s, a30); _mm256_storeu_ps(d + 3 * s + 8, a31); _mm256_storeu_ps(d + 3 * s + 16, a32);
        }
    }
}

__attribute__((target("avx2,fma")))
static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Tile: 4 output channels × 3 taps = 12 accumulators over the flat positions; per 8 positions
/// 4 gradient loads, 3 input loads, 12 FMAs.
__attribute__((target("avx2,fma")))
static void weight_gradient_avx2(const float *xp, const float *dyflat, int inputs, int outputs, int k, layout l,
                                 float *dw) {
    int kk = k * k;
    size_t fs = (size_t)l.flat_r;
    for (int ob = 0; ob < outputs; ob += TILE_O) {
        const float *g0 = dyflat + (size_t)ob * fs;
        for (int c = 0; c < inputs; c++) {
            const float *xc = xp + (size_t)c * l.plane;
            for (int t0 = 0; t0 < kk; t0 += 3) {
                int n = kk - t0 < 3 ? kk - t0 : 3;
                // A group short of 3 taps repeats its last tap and drops the copies.
                const float *s0 = xc + (t0 / k) * l.wp + t0 % k;
                int t1 = t0 + (n > 1 ? 1 : 0), t2 = t0 + (n > 2 ? 2 : n - 1);
                const float *s1 = xc + (t1 / k) * l.wp + t1 % k, *s2 = xc + (t2 / k) * l.wp + t2 % k;
                __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
                __m256 a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
                for (size_t q = 0; q < fs; q += 8) {
                    __m256 x0 = _mm256_loadu_ps(s0 + q), x1 = _mm256_loadu_ps(s1 + q), x2 = _mm256_loadu_ps(s2 + q);
                    __m256 g = _mm256_loadu_ps(g0 + q);
                    a00 = _mm256_fmadd_ps(g, x0, a00); a01 = _mm256_fmadd_ps(g, x1, a01); a02 = _mm256_fmadd_ps(g, x2, a02);
                    g = _mm256_loadu_ps(g0 + fs + q);
                    a10 = _mm256_fmadd_ps(g, x0, a10); a11 = _mm256_fmadd_ps(g, x1, a11); a12 = _mm256_fmadd_ps(g, x2, a12);
                    g = _mm256_loadu_ps(g0 + 2 * fs + q);
                    a20 = _mm256_fmadd_ps(g, x0, a20); a21 = _mm256_fmadd_ps(g, x1, a21); a22 = _mm256_fmadd_ps(g, x2, a22);
                    g = _mm256_loadu_ps(g0 + 3 * fs + q);
                    a30 = _mm256_fmadd_ps(g, x0, a30); a31 = _mm256_fmadd_ps(g, x1, a31); a32 = _mm256_fmadd_ps(g, x2, a32);
                }
                __m256 acc[4][3] = {{a00, a01, a02}, {a10, a11, a12}, {a20, a21, a22}, {a30, a31, a32}};
                for (int r = 0; r < TILE_O && ob + r < outputs; r++) {
                    float *d = dw + ((size_t)(ob + r) * inputs + c) * kk + t0;
                    for (int u = 0; u < n; u++) d[u] += hsum(acc[r][u]);
                }
            }
        }
    }
}
#endif

int accordion_conv_uses_avx2(void) {
#ifdef HAVE_AVX2_PATH
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cached;
#else
    return 0;
#endif
}

void accordion_conv_same(const float *x, int inputs, int height, int width, int k,
                         const float *packed, int outputs, float *y, float *scratch) {
    layout l = make_layout(height, width, k);
    float *xp = scratch, *yflat = scratch + (size_t)inputs * l.plane;
    pad_planes(x, inputs, height, width, k, l, xp);
#ifdef HAVE_AVX2_PATH
    if (accordion_conv_uses_avx2()) {
        tiles_avx2(xp, inputs, k, l, packed, outputs, yflat);
    } else {
        tiles_portable(xp, inputs, k, l, packed, outputs, yflat);
    }
#else
    tiles_portable(xp, inputs, k, l, packed, outputs, yflat);
#endif
    copy_out(yflat, outputs, height, width, l, y);
}

void accordion_conv_same_weight_gradient(const float *x, const float *dy, int inputs, int outputs, int height,
                                         int width, int k, float *dw, float *scratch) {
    layout l = make_layout(height, width, k);
    float *xp = scratch, *dyflat = scratch + (size_t)inputs * l.plane;
    pad_planes(x, inputs, height, width, k, l, xp);
    flatten_gradient(dy, outputs, height, width, l, dyflat);
#ifdef HAVE_AVX2_PATH
    if (accordion_conv_uses_avx2()) {
        weight_gradient_avx2(xp, dyflat, inputs, outputs, k, l, dw);
        return;
    }
#endif
    weight_gradient_portable(xp, dyflat, inputs, outputs, k, l, dw);
}
