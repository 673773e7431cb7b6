#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// glibc heap settings for a long-running stream.
///
/// Why: a session frees everything it built (pipelines, frame queues, the restorer's buffers;
/// heaptrack shows no growth of live allocations across reconnects), but glibc keeps freed chunks
/// in per-thread arenas, and every reconnect starts new GStreamer streaming threads that get new
/// arenas. Left alone, a camera that drops now and then makes resident memory climb by tens of MB
/// per reconnect and look like a leak to anyone watching RSS.
///
/// Measured and left to the operator: with `MALLOC_MMAP_THRESHOLD_=1048576` in the environment
/// every video frame gets its own mapping, returned to the kernel when freed. The soak's sessions
/// then stay within 3 % of each other (without it the first session runs ~10 % lower than every
/// later one, which are flat), and RSS is ~35 MB lower; but the page faults of those mappings cost
/// ~3.8 ms of CPU per 720p frame (`perf stat` over `bench live`), which real time cannot spare
/// on two cores. So it is not the default.
enum MallocTuning {
    /// Caps glibc's arenas (default 8 per core). Call before the first thread starts; the
    /// environment's `MALLOC_ARENA_MAX`, when set, is left to win.
    static func limitArenas(to count: Int32 = 2) {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil else { return }
        mallopt(M_ARENA_MAX, count)
        #endif
    }

    /// Hands freed heap memory back to the kernel; returns the resident kB released (0 where
    /// glibc is not the allocator).
    @discardableResult
    static func releaseFreedMemory() -> Int {
        #if canImport(Glibc)
        let before = ProcessStats.residentKB()
        malloc_trim(0)
        return max(0, before - ProcessStats.residentKB())
        #else
        return 0
        #endif
    }
}
