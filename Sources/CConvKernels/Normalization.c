// The passes of batch normalisation over its planes (one example's values of one channel):
// per-plane sums for the statistics, the normalising sweep, and the input gradient.
//
// Every plane is summed in one fixed order: eight Float lanes within a block of 1024 scalars, the
// lanes then added one after another (lane 0 first), the scalars past the last full group of
// eight added in Double, and the blocks added in Double. A plane's result therefore does not depend
// on when it is computed: the planes are visited in memory order, one after another (a channel's
// planes are a whole example apart, and reading them channel by channel started a new short
// stream at every plane; summing four planes side by side to hide the adders' latency measured
// slower, as the passes are bound by memory, not by the adders), and callers add each channel's
// plane results in example order.
//
// The same C is compiled for AVX2 and for the SSE2 baseline and the CPU picks one (as the pooling
// does): eight lanes are one register in the first and two in the second. Every lane computes
// exactly the scalar expression, with no fused multiply-add (contraction is off), so both give the
// same bits.
#include "ConvKernels.h"
#include "ConvKernelsInternal.h"

#pragma clang fp contract(off)
// The eight-lane helpers below are always inlined, so their vector arguments never cross a call
// (the baseline build would otherwise pass them differently from the AVX2 one).
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v8 __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));

#define BLOCK 1024

#define INLINE static inline __attribute__((always_inline))

INLINE v8 load(const float *p) { return *(const v8u *)p; }
INLINE void store(float *p, v8 v) { *(v8u *)p = v; }
INLINE v8 splat(float s) { return (v8){s, s, s, s, s, s, s, s}; }

/// The lanes added one after another.
INLINE float lane_sum(v8 v) {
    float s = v[0];
    for (int i = 1; i < 8; i++) s += v[i];
    return s;
}

/// `g · [y > 0]`: ReLU's backward at its output `y` (0 where `y` is NaN).
INLINE v8 relu_masked(v8 g, v8 y) { return (v8)((v8i)g & (v8i)(y > 0)); }
INLINE float relu_masked1(float g, float y) { return y > 0 ? g : 0; }

/// `max(v, 0)` with NaN kept.
INLINE v8 relu(v8 v) { return (v8)((v8i)v & ~(v8i)(v < 0)); }

// Statistic kinds of `plane_stats`.
enum { STAT_SUM, STAT_SQUARES, STAT_MOMENTS, STAT_MASKED_MOMENTS };

/// For the planes q = first ..< first + count of `p` scalars, with c the centre of plane q's
/// channel (`centres[q mod channels]`): out[q] = Σ a_q (STAT_SUM), Σ (a_q − c)² (STAT_SQUARES), or,
/// with `b` and `out2`, Σ g_q and Σ g_q (b_q − c) for g = a (STAT_MOMENTS) or g = a · [mask > 0]
/// (STAT_MASKED_MOMENTS).
INLINE void plane_stats(const int kind, const float *a, const float *b, const float *mask, int first, int count,
                        int p, const float *centres, int channels, double *out, double *out2) {
    for (int q = first; q < first + count; q++) {
        const float *pa = a + (size_t)q * p;
        const float *pb = kind >= STAT_MOMENTS ? b + (size_t)q * p : 0;
        const float *pm = kind == STAT_MASKED_MOMENTS ? mask + (size_t)q * p : 0;
        const float c = kind == STAT_SUM ? 0 : centres[q % channels];
        const v8 centre = splat(c);
        double t = 0, u = 0;
        int i = 0;
        while (i < p) {
            int end = p < i + BLOCK ? p : i + BLOCK;
            v8 l = splat(0), m8 = splat(0);
            for (; i + 8 <= end; i += 8) {
                v8 v = load(pa + i);
                if (kind == STAT_SUM) {
                    l += v;
                } else if (kind == STAT_SQUARES) {
                    v8 d = v - centre;
                    l += d * d;
                } else {
                    if (kind == STAT_MASKED_MOMENTS) v = relu_masked(v, load(pm + i));
                    l += v;
                    m8 += v * (load(pb + i) - centre);
                }
            }
            double s = (double)lane_sum(l), m = (double)lane_sum(m8);
            for (; i < end; i++) {
                float v = pa[i];
                if (kind == STAT_SUM) {
                    s += (double)v;
                } else if (kind == STAT_SQUARES) {
                    double d = (double)(v - c);
                    s += d * d;
                } else {
                    if (kind == STAT_MASKED_MOMENTS) v = relu_masked1(v, pm[i]);
                    s += (double)v;
                    m += (double)v * (double)(pb[i] - c);
                }
            }
            t += s;
            u += m;
        }
        out[q] = t;
        if (kind >= STAT_MOMENTS) out2[q] = u;
    }
}

/// y = (x − centre)·scale + shift per plane (then max(·, 0) with `relu`), planes `first ..< first +
/// count` of planes of `p` scalars, plane q of channel q mod `channels`.
INLINE void sweep(const float *x, float *y, int first, int count, int p, int channels, const float *scale,
                  const float *centre, const float *shift, const int relu_after) {
    for (int q = first; q < first + count; q++) {
        const float *src = x + (size_t)q * p;
        float *dst = y + (size_t)q * p;
        int ch = q % channels;
        float a = scale[ch], mu = centre[ch], b = shift[ch];
        v8 av = splat(a), mv = splat(mu), bv = splat(b);
        int i = 0;
        for (; i + 8 <= p; i += 8) {
            v8 v = (load(src + i) - mv) * av + bv;
            store(dst + i, relu_after ? relu(v) : v);
        }
        for (; i < p; i++) {
            float v = (src[i] - mu) * a + b;
            dst[i] = relu_after && v < 0 ? 0 : v;
        }
    }
}

/// ∂x = k·(n·g − Σ∂y − (x − μ)·slope) per plane, g = ∂y (· [mask > 0] with a mask); planes as `sweep`.
INLINE void input_gradient(const float *dy, const float *x, const float *mask, float *dx, int first, int count,
                           int p, int channels, const float *k, float n, const float *sum, const float *mu,
                           const float *slope, const int masked) {
    v8 nv = splat(n);
    for (int q = first; q < first + count; q++) {
        size_t at = (size_t)q * p;
        const float *g = dy + at, *src = x + at, *m = masked ? mask + at : 0;
        float *out = dx + at;
        int ch = q % channels;
        v8 kv = splat(k[ch]), sv = splat(sum[ch]), muv = splat(mu[ch]), lv = splat(slope[ch]);
        int i = 0;
        for (; i + 8 <= p; i += 8) {
            v8 gv = masked ? relu_masked(load(g + i), load(m + i)) : load(g + i);
            store(out + i, kv * (nv * gv - sv - (load(src + i) - muv) * lv));
        }
        for (; i < p; i++) {
            float gi = masked ? relu_masked1(g[i], m[i]) : g[i];
            out[i] = k[ch] * (n * gi - sum[ch] - (src[i] - mu[ch]) * slope[ch]);
        }
    }
}

// Each pass twice: for AVX2 and for the baseline.
#if defined(__x86_64__) && defined(__clang__)
#define TWICE(name, params, call)                                                                  \
    __attribute__((target("avx2"))) static void name##_avx2 params { call; }                      \
    static void name##_base params { call; }
#define PICK(name) (kernel >= conv_isa_avx2 && conv_selected_isa() >= conv_isa_avx2 ? name##_avx2 : name##_base)
#else
#define TWICE(name, params, call) static void name##_base params { call; }
#define PICK(name) name##_base
#endif

#define STATS_PARAMS                                                                               \
    (const float *a, const float *b, const float *mask, int first, int count, int p, const float *centres,     \
     int channels, double *out, double *out2)
#define STATS_ARGS a, b, mask, first, count, p, centres, channels, out, out2
TWICE(stats_sum, STATS_PARAMS, plane_stats(STAT_SUM, STATS_ARGS))
TWICE(stats_squares, STATS_PARAMS, plane_stats(STAT_SQUARES, STATS_ARGS))
TWICE(stats_moments, STATS_PARAMS, plane_stats(STAT_MOMENTS, STATS_ARGS))
TWICE(stats_masked, STATS_PARAMS, plane_stats(STAT_MASKED_MOMENTS, STATS_ARGS))

void accordion_plane_sums(const float *x, int first, int count, int p, double *out, int kernel) {
    PICK(stats_sum)(x, 0, 0, first, count, p, 0, 1, out, 0);
}

void accordion_plane_squares(const float *x, int first, int count, int p, const float *centres, int channels,
                             double *out, int kernel) {
    PICK(stats_squares)(x, 0, 0, first, count, p, centres, channels, out, 0);
}

void accordion_plane_moments(const float *g, const float *x, const float *mask, int first, int count, int p,
                             const float *centres, int channels, double *sums, double *moments, int kernel) {
    if (mask) PICK(stats_masked)(g, x, mask, first, count, p, centres, channels, sums, moments);
    else PICK(stats_moments)(g, x, 0, first, count, p, centres, channels, sums, moments);
}

#define SWEEP_PARAMS                                                                               \
    (const float *x, float *y, int first, int count, int p, int channels, const float *scale,     \
     const float *centre, const float *shift)
TWICE(sweep_plain, SWEEP_PARAMS, sweep(x, y, first, count, p, channels, scale, centre, shift, 0))
TWICE(sweep_relu, SWEEP_PARAMS, sweep(x, y, first, count, p, channels, scale, centre, shift, 1))

void accordion_batchnorm_sweep(const float *x, float *y, int first, int count, int p, int channels,
                               const float *scale, const float *centre, const float *shift, int relu_after, int kernel) {
    if (relu_after) PICK(sweep_relu)(x, y, first, count, p, channels, scale, centre, shift);
    else PICK(sweep_plain)(x, y, first, count, p, channels, scale, centre, shift);
}

#define GRADIENT_PARAMS                                                                            \
    (const float *dy, const float *x, const float *mask, float *dx, int first, int count, int p, int channels, \
     const float *k, float n, const float *sum, const float *mu, const float *slope)
TWICE(gradient_plain, GRADIENT_PARAMS, input_gradient(dy, x, mask, dx, first, count, p, channels, k, n, sum, mu, slope, 0))
TWICE(gradient_masked, GRADIENT_PARAMS,
      input_gradient(dy, x, mask, dx, first, count, p, channels, k, n, sum, mu, slope, 1))

void accordion_batchnorm_input_gradient(const float *dy, const float *x, const float *mask, float *dx, int first,
                                        int count, int p, int channels, const float *k, float n, const float *sum,
                                        const float *mu, const float *slope, int kernel) {
    if (mask) PICK(gradient_masked)(dy, x, mask, dx, first, count, p, channels, k, n, sum, mu, slope);
    else PICK(gradient_plain)(dy, x, mask, dx, first, count, p, channels, k, n, sum, mu, slope);
}
