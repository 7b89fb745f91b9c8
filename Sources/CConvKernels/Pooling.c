// Max pooling over 2×2 windows with stride 2, the pooling of every CNN stage.
//
// The row loop is branch-free so that the compiler vectorises it. With AVX-512 (and its 128/256-bit
// forms, VL) it splits the even and odd columns with two-source permutes and runs about three
// times faster than the SSE2 baseline on the planes of a CNN (28×28 and 14×14, measured on Zen 4),
// so the same C is compiled twice and the CPU picks one. Both give the same bits: a max is exact.
#include "ConvKernels.h"

#define MAXPOOL_BODY                                                                               \
    int ho = height / 2, wo = width / 2;                                                           \
    size_t plane = (size_t)height * width;                                                         \
    for (int n = 0; n < planes; n++) {                                                             \
        const float *src = x + (size_t)n * plane;                                                  \
        for (int a = 0; a < ho; a++) {                                                             \
            int top = 2 * a * width, bottom = top + width;                                         \
            const float *t = src + top, *u = src + bottom;                                         \
            size_t row = ((size_t)n * ho + a) * wo;                                                \
            float *out = y + row;                                                                  \
            int32_t *ats = index ? index + row : 0;                                                \
            /* Candidates in row-major order; a later one wins when larger or NaN. */              \
            for (int b = 0; b < wo; b++) {                                                         \
                float best = t[2 * b], v;                                                          \
                int32_t arg = top + 2 * b;                                                         \
                int take;                                                                          \
                v = t[2 * b + 1], take = (v > best) | (v != v);                                    \
                best = take ? v : best, arg = take ? top + 2 * b + 1 : arg;                        \
                v = u[2 * b], take = (v > best) | (v != v);                                        \
                best = take ? v : best, arg = take ? bottom + 2 * b : arg;                         \
                v = u[2 * b + 1], take = (v > best) | (v != v);                                    \
                best = take ? v : best, arg = take ? bottom + 2 * b + 1 : arg;                     \
                out[b] = best;                                                                     \
                if (ats) ats[b] = arg;                                                             \
            }                                                                                      \
        }                                                                                          \
    }

static void maxpool_portable(const float *x, int planes, int height, int width, float *y, int32_t *index) {
    MAXPOOL_BODY
}

#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("avx512f,avx512vl")))
static void maxpool_avx512(const float *x, int planes, int height, int width, float *y, int32_t *index) {
    MAXPOOL_BODY
}

static int has_avx512vl(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    return cached;
}
#endif

void accordion_maxpool2x2(const float *x, int planes, int height, int width, float *y, int32_t *index, int kernel) {
#if defined(__x86_64__) && defined(__clang__)
    if (kernel >= 2 && has_avx512vl()) {
        maxpool_avx512(x, planes, height, width, y, index);
        return;
    }
#endif
    maxpool_portable(x, planes, height, width, y, index);
}
