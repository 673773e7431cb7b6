#include <malloc.h>
#include <sys/prctl.h>

/* prctl is variadic, which Swift cannot call. Turns transparent huge pages off for this
   process and what it executes, including regions that a library madvises MADV_HUGEPAGE. */
static inline int fr_disable_transparent_hugepages(void) {
    return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
}
