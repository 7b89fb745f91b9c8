// Max pooling over 2×2 windows with stride 2, the pooling of every CNN stage.
//
// The portable row loop is branch-free so that the compiler vectorises it; on CPUs with AVX-512
// (and VL) an explicit kernel takes eight windows at a time with masked loads and stores, so that
// rows of 14 or 7 windows (a CNN's 28×28 and 14×14 planes) run no scalar tail. Both give the same
// bits: a max is exact, and the candidates are compared in the same order with the same test.
//
// A max pooling right after a batch norm and its ReLU can take the norm's input instead: each
// candidate is normalised and rectified as it is read (the sweep's own operations, so its bits),
// and the norm's output, which training reads nowhere else, is never written.
#include "ConvKernels.h"
#include "ConvKernelsInternal.h"

// No fused multiply-adds: the normalised values must be the sweep's bits.
#pragma clang fp contract(off)

#define MAXPOOL_BODY(SETUP, READ)                                                                  \
    int ho = height / 2, wo = width / 2;                                                           \
    size_t plane = (size_t)height * width;                                                         \
    for (int n = 0; n < planes; n++) {                                                             \
        const float *src = x + (size_t)n * plane;                                                  \
        SETUP                                                                                      \
        for (int a = 0; a < ho; a++) {                                                             \
            int top = 2 * a * width, bottom = top + width;                                         \
            const float *t = src + top, *u = src + bottom;                                         \
            size_t row = ((size_t)n * ho + a) * wo;                                                \
            float *out = y + row;                                                                  \
            int32_t *ats = index ? index + row : 0;                                                \
            /* Candidates in row-major order; a later one wins when larger or NaN. */              \
            for (int b = 0; b < wo; b++) {                                                         \
                float best = READ(t[2 * b]), v;                                                    \
                int32_t arg = top + 2 * b;                                                         \
                int take;                                                                          \
                v = READ(t[2 * b + 1]), take = (v > best) | (v != v);                              \
                best = take ? v : best, arg = take ? top + 2 * b + 1 : arg;                        \
                v = READ(u[2 * b]), take = (v > best) | (v != v);                                  \
                best = take ? v : best, arg = take ? bottom + 2 * b : arg;                         \
                v = READ(u[2 * b + 1]), take = (v > best) | (v != v);                              \
                best = take ? v : best, arg = take ? bottom + 2 * b + 1 : arg;                     \
                out[b] = best;                                                                     \
                if (ats) ats[b] = arg;                                                             \
            }                                                                                      \
        }                                                                                          \
    }

#define PLAIN(value) (value)

/// The batch norm's sweep followed by a ReLU (Normalization.c), one scalar at a time: the same
/// operations, so the same bits.
static inline __attribute__((always_inline)) float norm_relu(float x, float scale, float centre, float shift) {
    float v = (x - centre) * scale + shift;
    return v < 0 ? 0 : v;
}

/// Plane n of the range is plane `first + n` of the batch, of channel (first + n) mod channels.
#define NORM_SETUP                                                                                 \
    int ch = (first + n) % channels;                                                               \
    float sa = scale[ch], mu = centre[ch], sb = shift[ch];
#define NORM_RELU(value) norm_relu(value, sa, mu, sb)

static void maxpool_portable(const float *x, int planes, int height, int width, float *y, int32_t *index) {
    MAXPOOL_BODY(, PLAIN)
}

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

/// The windows b ..< b + 8 of a row of `wo`: `outs` masks those that exist, `pairs` their input
/// columns (two per window).
__attribute__((target("avx512f,avx512vl"))) static inline __attribute__((always_inline)) void
window_step(int wo, int b, __mmask8 *outs, __mmask16 *pairs) {
    int count = wo - b < 8 ? wo - b : 8;
    *outs = (__mmask8)((1u << count) - 1);
    *pairs = count == 8 ? 0xFFFF : (__mmask16)((1u << (2 * count)) - 1);
}


/// MAXPOOL_BODY with AVX-512, eight windows at a time: one masked load of 16 scalars per row, one
/// permute to split its even and odd columns, the four candidates compared in the same order
/// with the same test (`v > best` or v is NaN), and masked stores for a row's last windows, so
/// that rows of 14 or 7 windows run no scalar tail. With `norm`, each candidate is normalised and
/// rectified as in `norm_relu`.
__attribute__((target("avx512f,avx512vl"))) static inline __attribute__((always_inline)) void
pool_avx512(const float *x, int first, int planes, int height, int width, int channels, const float *scale,
            const float *centre, const float *shift, float *y, int32_t *index, const int norm) {
    int ho = height / 2, wo = width / 2;
    size_t plane = (size_t)height * width;
    const __m512i split = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    const __m256i lanes = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m512 zero = _mm512_setzero_ps();
    for (int n = 0; n < planes; n++) {
        const float *src = x + (size_t)n * plane;
        __m512 sa = zero, mu = zero, sb = zero;
        if (norm) {
            int ch = (first + n) % channels;
            sa = _mm512_set1_ps(scale[ch]), mu = _mm512_set1_ps(centre[ch]), sb = _mm512_set1_ps(shift[ch]);
        }
        for (int a = 0; a < ho; a++) {
            int top = 2 * a * width, bottom = top + width;
            size_t row = ((size_t)n * ho + a) * wo;
            for (int b = 0; b < wo; b += 8) {
                __mmask8 outs;
                __mmask16 pairs;
                window_step(wo, b, &outs, &pairs);
                __m512 t = _mm512_maskz_loadu_ps(pairs, src + top + 2 * b);
                __m512 u = _mm512_maskz_loadu_ps(pairs, src + bottom + 2 * b);
                if (norm) {
                    t = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(t, mu), sa), sb);
                    u = _mm512_add_ps(_mm512_mul_ps(_mm512_sub_ps(u, mu), sa), sb);
                    t = _mm512_mask_mov_ps(t, _mm512_cmp_ps_mask(t, zero, _CMP_LT_OQ), zero);
                    u = _mm512_mask_mov_ps(u, _mm512_cmp_ps_mask(u, zero, _CMP_LT_OQ), zero);
                }
                __m512 ts = _mm512_permutexvar_ps(split, t), us = _mm512_permutexvar_ps(split, u);
                __m256 t0 = _mm512_castps512_ps256(ts), u0 = _mm512_castps512_ps256(us);
                __m256 t1 = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(ts), 1));
                __m256 u1 = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(us), 1));
                __m256i at = _mm256_add_epi32(_mm256_set1_epi32(top + 2 * b), lanes);
                __m256i ab = _mm256_add_epi32(_mm256_set1_epi32(bottom + 2 * b), lanes);
                const __m256i one = _mm256_set1_epi32(1);
                __m256 best = t0;
                __m256i arg = at;
                __mmask8 take = _mm256_cmp_ps_mask(t1, best, _CMP_GT_OQ) | _mm256_cmp_ps_mask(t1, t1, _CMP_UNORD_Q);
                best = _mm256_mask_mov_ps(best, take, t1), arg = _mm256_mask_add_epi32(arg, take, at, one);
                take = _mm256_cmp_ps_mask(u0, best, _CMP_GT_OQ) | _mm256_cmp_ps_mask(u0, u0, _CMP_UNORD_Q);
                best = _mm256_mask_mov_ps(best, take, u0), arg = _mm256_mask_mov_epi32(arg, take, ab);
                take = _mm256_cmp_ps_mask(u1, best, _CMP_GT_OQ) | _mm256_cmp_ps_mask(u1, u1, _CMP_UNORD_Q);
                best = _mm256_mask_mov_ps(best, take, u1), arg = _mm256_mask_add_epi32(arg, take, ab, one);
                _mm256_mask_storeu_ps(y + row + b, outs, best);
                if (index) _mm256_mask_storeu_epi32(index + row + b, outs, arg);
            }
        }
    }
}

__attribute__((target("avx512f,avx512vl"))) static void maxpool_avx512(const float *x, int planes, int height,
                                                                        int width, float *y, int32_t *index) {
    pool_avx512(x, 0, planes, height, width, 1, 0, 0, 0, y, index, 0);
}
#endif

void accordion_maxpool2x2(const float *x, int planes, int height, int width, float *y, int32_t *index, int kernel) {
#if defined(__x86_64__) && defined(__clang__)
    if (kernel >= 2 && conv_has_avx512vl()) {
        maxpool_avx512(x, planes, height, width, y, index);
        return;
    }
#endif
    maxpool_portable(x, planes, height, width, y, index);
}

#define NORM_POOL_PARAMS                                                                           \
    (const float *x, int first, int planes, int height, int width, int channels, const float *scale, \
     const float *centre, const float *shift, float *y, int32_t *index)

static void norm_pool_portable NORM_POOL_PARAMS { MAXPOOL_BODY(NORM_SETUP, NORM_RELU) }

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("avx512f,avx512vl"))) static void norm_pool_avx512 NORM_POOL_PARAMS {
    pool_avx512(x, first, planes, height, width, channels, scale, centre, shift, y, index, 1);
}
#endif

void accordion_batchnorm_relu_maxpool2x2(const float *x, int first, int planes, int height, int width, int channels,
                                         const float *scale, const float *centre, const float *shift, float *y,
                                         int32_t *index, int kernel) {
#if defined(__x86_64__) && defined(__clang__)
    if (kernel >= 2 && conv_has_avx512vl()) {
        norm_pool_avx512(x, first, planes, height, width, channels, scale, centre, shift, y, index);
        return;
    }
#endif
    norm_pool_portable(x, first, planes, height, width, channels, scale, centre, shift, y, index);
}

// The backward pass: each window's gradient goes to its arg-max, every other scalar of the input
// gradient is zero. With `y` (the pooled outputs), a window's gradient is dropped unless its
// maximum is positive: the mask of a ReLU before the pooling. The value written is 0 + g, as
// adding the gradient onto a zeroed plane gives (−0 becomes +0).

static void pool_backward_portable(const float *dy, const float *y, const int32_t *index, int planes, int height,
                                   int width, float *dx) {
    int ho = height / 2, wo = width / 2;
    size_t plane = (size_t)height * width, outs = (size_t)ho * wo;
    for (int n = 0; n < planes; n++) {
        float *d = dx + (size_t)n * plane;
        for (size_t i = 0; i < plane; i++) d[i] = 0;
        for (size_t o = (size_t)n * outs; o < (size_t)(n + 1) * outs; o++) {
            float g = y && !(y[o] > 0) ? 0 : dy[o];
            d[index[o]] += g;
        }
    }
}

#if defined(__x86_64__) && defined(__clang__)
/// Eight windows at a time: each of the four positions of a window takes the gradient where the
/// arg-max is that position and zero elsewhere; the even and odd columns are interleaved back
/// into the two rows, which are written whole (masked for a row's last windows).
__attribute__((target("avx512f,avx512vl"))) static void pool_backward_avx512(const float *dy, const float *y,
                                                                              const int32_t *index, int planes,
                                                                              int height, int width, float *dx) {
    int ho = height / 2, wo = width / 2;
    size_t plane = (size_t)height * width;
    const __m512i merge = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m256i lanes = _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14);
    const __m256 zero = _mm256_setzero_ps();
    for (int n = 0; n < planes; n++) {
        float *d = dx + (size_t)n * plane;
        for (int a = 0; a < ho; a++) {
            int top = 2 * a * width, bottom = top + width;
            size_t row = ((size_t)n * ho + a) * wo;
            for (int b = 0; b < wo; b += 8) {
                __mmask8 outs;
                __mmask16 pairs;
                window_step(wo, b, &outs, &pairs);
                __m256 g = _mm256_maskz_loadu_ps(outs, dy + row + b);
                if (y) {
                    __m256 m = _mm256_maskz_loadu_ps(outs, y + row + b);
                    g = _mm256_maskz_mov_ps(_mm256_cmp_ps_mask(m, zero, _CMP_GT_OQ), g);
                }
                g = _mm256_add_ps(zero, g);
                __m256i at = _mm256_maskz_loadu_epi32(outs, index + row + b);
                __m256i t0 = _mm256_add_epi32(_mm256_set1_epi32(top + 2 * b), lanes);
                __m256i u0 = _mm256_add_epi32(_mm256_set1_epi32(bottom + 2 * b), lanes);
                const __m256i one = _mm256_set1_epi32(1);
                __m256 te = _mm256_maskz_mov_ps(_mm256_cmpeq_epi32_mask(at, t0), g);
                __m256 to = _mm256_maskz_mov_ps(_mm256_cmpeq_epi32_mask(at, _mm256_add_epi32(t0, one)), g);
                __m256 ue = _mm256_maskz_mov_ps(_mm256_cmpeq_epi32_mask(at, u0), g);
                __m256 uo = _mm256_maskz_mov_ps(_mm256_cmpeq_epi32_mask(at, _mm256_add_epi32(u0, one)), g);
                __m512 tr = _mm512_permutex2var_ps(_mm512_castps256_ps512(te), merge, _mm512_castps256_ps512(to));
                __m512 ur = _mm512_permutex2var_ps(_mm512_castps256_ps512(ue), merge, _mm512_castps256_ps512(uo));
                _mm512_mask_storeu_ps(d + top + 2 * b, pairs, tr);
                _mm512_mask_storeu_ps(d + bottom + 2 * b, pairs, ur);
            }
            // An odd width leaves a last column that no window covers.
            if (width & 1) d[top + width - 1] = 0, d[bottom + width - 1] = 0;
        }
        // An odd height leaves a last row that no window covers.
        if (height & 1)
            for (int j = 0; j < width; j++) d[(size_t)(height - 1) * width + j] = 0;
    }
}
#endif

void accordion_maxpool2x2_backward(const float *dy, const float *y, const int32_t *index, int planes, int height,
                                   int width, float *dx, int kernel) {
#if defined(__x86_64__) && defined(__clang__)
    if (kernel >= 2 && conv_has_avx512vl()) {
        pool_backward_avx512(dy, y, index, planes, height, width, dx);
        return;
    }
#endif
    pool_backward_portable(dy, y, index, planes, height, width, dx);
}
