// OpenBLAS (Debian libopenblas-dev) and LAPACKE (liblapacke-dev).
#include <cblas.h>
#include <lapacke.h>

// Declared by OpenBLAS; repeated here so the shim does not depend on which cblas.h the
// alternatives system selected.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
