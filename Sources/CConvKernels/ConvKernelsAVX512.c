// The AVX-512 kernel of the direct convolution (see ConvKernels.c for the layout).
//
// Register tile (ConvTile.h): 8 output channels × M vectors of 16 flat positions (M = 1, 2 or 3,
// chosen per plane size by conv_make_layout so that little of the last tile is padding), 8·M
// accumulators of the 32 registers. Per (input channel, tap): M loads, 8 weight broadcasts,
// 8·M FMAs, so even at M = 1 the loads stay below the FMAs.
#include "ConvKernelsInternal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TILE_TARGET __attribute__((target("avx512f"), always_inline))
#define VEC __m512
#define LANES 16
#define VZERO() _mm512_setzero_ps()
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSET1(p) _mm512_set1_ps(*(p))
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define TILE_O 8
#include "ConvTile.h"

__attribute__((target("avx512f")))
void conv_tiles_avx512(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs,
                       float *yflat) {
    switch (l.tile_q / 16) {
    case 1: tile_rows(xp, inputs, k, l, packed, outputs, yflat, 1); break;
    case 2: tile_rows(xp, inputs, k, l, packed, outputs, yflat, 2); break;
    default: tile_rows(xp, inputs, k, l, packed, outputs, yflat, 3); break;
    }
}
#endif
