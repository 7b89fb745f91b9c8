// The patch matrix of a convolution (im2col) and its adjoint (col2im), for one NCHW example.
//
//   cols[(c·kh + i)·kw + j, oh·Wo + ow] = x[c, oh·s − p + i, ow·s − p + j]   (0 outside the image)
//
// Rows of `cols` are `ld` scalars apart, so several examples can sit side by side in one GEMM
// operand. col2im adds every entry back onto the pixel it came from, tap by tap in the order
// (c, i, j): for a fixed tap no two entries land on the same pixel, so each pixel receives its
// contributions in that order whatever the vector width, and every build gives the same bits.
//
// Stride-1 "same" convolutions copy whole shifted planes (one contiguous range per tap, the
// columns that wrapped to the next row zeroed afterwards). Other geometries go row by row, with
// the stride a constant where it is 1 or 2. A stride-2 row is gathered and scattered with
// explicit permutes, eight or four outputs at a time (`gather2`, `scatter_add2`): vectorised by
// the compiler, the scatter became vector scatter instructions, slower than scalar stores on rows
// of 14 or 7. The same C is compiled for AVX-512 (with VL), AVX2 and the SSE2 baseline, and the
// CPU picks one.
#include "ConvKernels.h"
#include "ConvKernelsInternal.h"

#include <string.h>

#pragma clang fp contract(off)
// The vector helpers below are always inlined, so their vector arguments never cross a call.
#pragma clang diagnostic ignored "-Wpsabi"

#define INLINE static inline __attribute__((always_inline))

typedef float v4 __attribute__((vector_size(16)));
typedef float v8 __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
typedef float v4u __attribute__((vector_size(16), aligned(4)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));

/// dst[k] = src[2k] for k in [lo, hi). `room` is how many scalars may be read from src: the
/// vector steps read one past the last scalar they keep.
INLINE void gather2(float *dst, const float *src, int lo, int hi, ptrdiff_t room) {
    int k = lo;
    for (; k + 8 <= hi && 2 * (ptrdiff_t)k + 16 <= room; k += 8) {
        v8 a = *(const v8u *)(src + 2 * k), b = *(const v8u *)(src + 2 * k + 8);
        *(v8u *)(dst + k) = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    }
    for (; k + 4 <= hi && 2 * (ptrdiff_t)k + 8 <= room; k += 4) {
        v8 a = *(const v8u *)(src + 2 * k);
        *(v4u *)(dst + k) = __builtin_shufflevector(a, a, 0, 2, 4, 6);
    }
#pragma clang loop vectorize(disable)
    for (; k < hi; k++) dst[k] = src[2 * k];
}

/// dst[2k] += src[k] for k in [lo, hi), the odd scalars between them rewritten unchanged (`room`
/// as in gather2, counted from dst).
INLINE void scatter_add2(float *dst, const float *src, int lo, int hi, ptrdiff_t room) {
    const v8i even = {-1, 0, -1, 0, -1, 0, -1, 0};
    int k = lo;
    for (; k + 4 <= hi && 2 * (ptrdiff_t)k + 8 <= room; k += 4) {
        v4 a = *(const v4u *)(src + k);
        v8 d = *(v8u *)(dst + 2 * k);
        v8 sum = d + __builtin_shufflevector(a, a, 0, 0, 1, 1, 2, 2, 3, 3);
        *(v8u *)(dst + 2 * k) = (v8)(((v8i)sum & even) | ((v8i)d & ~even));
    }
#pragma clang loop vectorize(disable)
    for (; k < hi; k++) dst[2 * k] += src[k];
}

typedef struct {
    int channels, height, width, kh, kw, stride, padding, ho, wo;
} geometry;

INLINE geometry make_geometry(int channels, int height, int width, int kh, int kw, int stride, int padding) {
    geometry g = {channels, height, width, kh, kw, stride, padding, 0, 0};
    g.ho = (height + 2 * padding - kh) / stride + 1;
    g.wo = (width + 2 * padding - kw) / stride + 1;
    return g;
}

/// Stride 1, output as large as the input, padding inside the plane.
INLINE int shifted_plane(geometry g) {
    return g.stride == 1 && g.ho == g.height && g.wo == g.width && g.padding < g.width && g.padding < g.height;
}

/// The output columns [lo, hi) whose tap j lands inside the image: 0 ≤ ow·s − p + j < W.
INLINE void valid_columns(geometry g, int j, int *lo, int *hi) {
    int shift = g.padding - j;
    int l = shift > 0 ? (shift + g.stride - 1) / g.stride : 0;
    int last = g.width - 1 + shift;
    int h = last < 0 ? 0 : (g.wo < last / g.stride + 1 ? g.wo : last / g.stride + 1);
    *lo = l;
    *hi = h > l ? h : l;
}

/// For tap (i, j) of a shifted-plane convolution: the flat range [lo, hi) of the plane whose
/// source q + offset lies inside it.
INLINE void shifted_range(geometry g, int i, int j, int *lo, int *hi, int *offset) {
    int di = i - g.padding, dj = j - g.padding;
    int off = di * g.width + dj, plane = g.height * g.width;
    int l = (di < 0 ? -di : 0) * g.width;
    if (-off > l) l = -off;
    int h = (g.height < g.height - di ? g.height : g.height - di) * g.width;
    if (plane - off < h) h = plane - off;
    *lo = l;
    *hi = h > l ? h : l;
    *offset = off;
}

/// Zeroes the columns of a shifted-plane row whose tap j falls outside the image.
INLINE void zero_wrapped_columns(geometry g, float *row, int j) {
    int dj = j - g.padding;
    int first = dj < 0 ? 0 : g.width - dj, count = dj < 0 ? -dj : dj;
    for (int r = 0; r < g.height; r++)
        for (int k = 0; k < count; k++) row[(size_t)r * g.width + first + k] = 0;
}

INLINE void im2col_body(geometry g, const int s, const float *x, float *cols, size_t ld) {
    size_t plane = (size_t)g.height * g.width;
    if (shifted_plane(g)) {
        for (int c = 0; c < g.channels; c++)
            for (int i = 0; i < g.kh; i++)
                for (int j = 0; j < g.kw; j++) {
                    float *row = cols + ((size_t)(c * g.kh + i) * g.kw + j) * ld;
                    int lo, hi, offset;
                    shifted_range(g, i, j, &lo, &hi, &offset);
                    memset(row, 0, sizeof(float) * lo);
                    memcpy(row + lo, x + c * plane + lo + offset, sizeof(float) * (hi - lo));
                    memset(row + hi, 0, sizeof(float) * (plane - hi));
                    if (j != g.padding) zero_wrapped_columns(g, row, j);
                }
        return;
    }
    for (int c = 0; c < g.channels; c++)
        for (int i = 0; i < g.kh; i++)
            for (int j = 0; j < g.kw; j++) {
                float *row = cols + ((size_t)(c * g.kh + i) * g.kw + j) * ld;
                int lo, hi;
                valid_columns(g, j, &lo, &hi);
                for (int oh = 0; oh < g.ho; oh++) {
                    float *dst = row + (size_t)oh * g.wo;
                    int ih = oh * s - g.padding + i;
                    if (ih < 0 || ih >= g.height) {
                        for (int ow = 0; ow < g.wo; ow++) dst[ow] = 0;
                        continue;
                    }
                    // Column ow reads x[c, ih, ow·s − p + j]; lo and hi keep that inside the row.
                    const float *src = x + c * plane + (size_t)ih * g.width + (j - g.padding);
                    for (int ow = 0; ow < lo; ow++) dst[ow] = 0;
                    if (s == 2) gather2(dst, src, lo, hi, (ptrdiff_t)(x + g.channels * plane - src));
                    else if (s == 1) for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow];
                    else {
                        // Vector gathers lose to scalar loads on these short rows.
#pragma clang loop vectorize(disable)
                        for (int ow = lo; ow < hi; ow++) dst[ow] = src[ow * s];
                    }
                    for (int ow = hi; ow < g.wo; ow++) dst[ow] = 0;
                }
            }
}

INLINE void col2im_body(geometry g, const int s, float *dcols, size_t ld, float *dx) {
    size_t plane = (size_t)g.height * g.width;
    if (shifted_plane(g)) {
        for (int c = 0; c < g.channels; c++)
            for (int i = 0; i < g.kh; i++)
                for (int j = 0; j < g.kw; j++) {
                    float *row = dcols + ((size_t)(c * g.kh + i) * g.kw + j) * ld;
                    int lo, hi, offset;
                    shifted_range(g, i, j, &lo, &hi, &offset);
                    // The wrapped columns become zeros, so the whole range is added at once.
                    if (j != g.padding) zero_wrapped_columns(g, row, j);
                    float *to = dx + c * plane + lo + offset;
                    const float *from = row + lo;
                    for (int q = 0; q < hi - lo; q++) to[q] += from[q];
                }
        return;
    }
    for (int c = 0; c < g.channels; c++)
        for (int i = 0; i < g.kh; i++)
            for (int j = 0; j < g.kw; j++) {
                const float *row = dcols + ((size_t)(c * g.kh + i) * g.kw + j) * ld;
                int lo, hi;
                valid_columns(g, j, &lo, &hi);
                for (int oh = 0; oh < g.ho; oh++) {
                    int ih = oh * s - g.padding + i;
                    if (ih < 0 || ih >= g.height) continue;
                    const float *src = row + (size_t)oh * g.wo;
                    float *dst = dx + c * plane + (size_t)ih * g.width + (j - g.padding);
                    if (s == 2) scatter_add2(dst, src, lo, hi, (ptrdiff_t)(dx + g.channels * plane - dst));
                    else if (s == 1) for (int ow = lo; ow < hi; ow++) dst[ow] += src[ow];
                    else {
                        // Vector scatters lose to scalar stores on these short rows.
#pragma clang loop vectorize(disable)
                        for (int ow = lo; ow < hi; ow++) dst[ow * s] += src[ow];
                    }
                }
            }
}

#define IM2COL_PARAMS (geometry g, const float *x, float *cols, size_t ld)
#define COL2IM_PARAMS (geometry g, float *dcols, size_t ld, float *dx)
#define BODIES(suffix)                                                                             \
    static void im2col_##suffix IM2COL_PARAMS {                                                    \
        if (g.stride == 1) im2col_body(g, 1, x, cols, ld);                                         \
        else if (g.stride == 2) im2col_body(g, 2, x, cols, ld);                                    \
        else im2col_body(g, g.stride, x, cols, ld);                                                \
    }                                                                                              \
    static void col2im_##suffix COL2IM_PARAMS {                                                    \
        if (g.stride == 1) col2im_body(g, 1, dcols, ld, dx);                                       \
        else if (g.stride == 2) col2im_body(g, 2, dcols, ld, dx);                                  \
        else col2im_body(g, g.stride, dcols, ld, dx);                                              \
    }

BODIES(base)

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512vl"))), apply_to = function)
BODIES(avx512)
#pragma clang attribute pop
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
BODIES(avx2)
#pragma clang attribute pop
#define PICK(name)                                                                                 \
    (kernel >= conv_isa_avx512 && conv_has_avx512vl() ? name##_avx512                                   \
     : kernel >= conv_isa_avx2 && conv_selected_isa() >= conv_isa_avx2   ? name##_avx2             \
                                                                         : name##_base)
#else
#define PICK(name) name##_base
#endif

void accordion_im2col(const float *x, int channels, int height, int width, int kh, int kw, int stride,
                      int padding, float *cols, size_t ld, int kernel) {
    PICK(im2col)(make_geometry(channels, height, width, kh, kw, stride, padding), x, cols, ld);
}

void accordion_col2im(float *dcols, size_t ld, int channels, int height, int width, int kh, int kw, int stride,
                      int padding, float *dx, int kernel) {
    PICK(col2im)(make_geometry(channels, height, width, kh, kw, stride, padding), dcols, ld, dx);
}
