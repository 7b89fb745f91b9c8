// The AVX2 + FMA kernels of the direct convolution (see ConvKernels.c for the layout).
//
// Register tile (ConvTile.h): 6 output channels × 16 flat positions = 12 accumulators of 8
// lanes. Per (input channel, tap): 2 unaligned loads, 6 weight broadcasts, 12 FMAs, so the loop
// is bound by the two FMA pipes rather than by loads.
#include "ConvKernelsInternal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TILE_TARGET __attribute__((target("avx2,fma"), always_inline))
#define VEC __m256
#define LANES 8
#define VZERO() _mm256_setzero_ps()
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSET1(p) _mm256_broadcast_ss(p)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define TILE_O 6
#include "ConvTile.h"

/// 6 channels × 2 vectors: 12 accumulators, 2 inputs and a broadcast fill 15 of the 16
/// registers (4 × 3 vectors needs 16 and makes clang spill an accumulator in the inner loop).
__attribute__((target("avx2,fma")))
void conv_tiles_avx2(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs, float *yflat) {
    tile_rows(xp, inputs, k, l, packed, outputs, yflat, 2);
}

#define GRAD_O 4

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
void conv_weight_gradient_avx2(const float *xp, const float *dyflat, int inputs, int outputs, int k, conv_layout l,
                                 float *dw) {
    int kk = k * k;
    size_t fs = (size_t)l.flat_r;
    for (int ob = 0; ob < outputs; ob += GRAD_O) {
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
                for (int r = 0; r < GRAD_O && ob + r < outputs; r++) {
                    float *d = dw + ((size_t)(ob + r) * inputs + c) * kk + t0;
                    for (int u = 0; u < n; u++) d[u] += hsum(acc[r][u]);
                }
            }
        }
    }
}
#endif
