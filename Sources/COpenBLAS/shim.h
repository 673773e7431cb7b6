// Debian's libopenblas-dev puts cblas.h under the variant's include directory, which the
// openblas pkg-config file adds to the search path.
#include <cblas.h>
