// The register tile of the direct convolution, written once for every vector instruction set.
// The including file defines, before including this (no include guard: one instance per file):
//   TILE_TARGET   the function attributes that enable its instructions
//   VEC, LANES    the vector type and its float count
//   VZERO(), VLOAD(p), VSET1(p), VFMA(a, b, c), VSTORE(p, v)   (VFMA: a·b + c, one rounding)
//   TILE_O        output channels per tile (the packing's tile)
// and gets `static void tile_rows(..., const int m)`: TILE_O channels × m vectors of positions,
// TILE_O · m accumulators, for every tile of `yflat`. Per (input channel, tap): m loads, TILE_O
// broadcasts, TILE_O · m FMAs. Each output is summed in the order (c, i, j) with one FMA per
// term, so every instruction set gives the same bits.
TILE_TARGET
static inline void tile_rows(const float *xp, int inputs, int k, conv_layout l, const float *packed, int outputs,
                             float *yflat, const int m) {
    int kk = k * k;
    size_t rs = (size_t)l.flat_r;
    for (int ob = 0; ob < conv_round_up(outputs, TILE_O); ob += TILE_O) {
        const float *wb = packed + (size_t)(ob / TILE_O) * inputs * kk * TILE_O;
        float *y0 = yflat + (size_t)ob * rs;
        for (int q = 0; q < l.flat_r; q += LANES * m) {
            VEC acc[TILE_O][3];
#pragma clang loop unroll(full)
            for (int r = 0; r < TILE_O; r++) {
#pragma clang loop unroll(full)
                for (int v = 0; v < m; v++) acc[r][v] = VZERO();
            }
            const float *w = wb;
            for (int c = 0; c < inputs; c++) {
                const float *xc = xp + (size_t)c * l.plane + q;
                for (int i = 0; i < k; i++) {
                    const float *s = xc + i * l.wp;
                    for (int j = 0; j < k; j++, s++, w += TILE_O) {
                        VEC x[3];
#pragma clang loop unroll(full)
                        for (int v = 0; v < m; v++) x[v] = VLOAD(s + LANES * v);
#pragma clang loop unroll(full)
                        for (int r = 0; r < TILE_O; r++) {
                            VEC b = VSET1(w + r);
#pragma clang loop unroll(full)
                            for (int v = 0; v < m; v++) acc[r][v] = VFMA(b, x[v], acc[r][v]);
                        }
                    }
                }
            }
#pragma clang loop unroll(full)
            for (int r = 0; r < TILE_O; r++) {
#pragma clang loop unroll(full)
                for (int v = 0; v < m; v++) VSTORE(y0 + r * rs + q + LANES * v, acc[r][v]);
            }
        }
    }
}
