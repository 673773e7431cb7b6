#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// glibc heap settings for a long-running stream.
///
/// Why: a session frees everything it built (pipelines, frame queues, the restorer's buffers;
/// heaptrack shows no growth of live allocations across reconnects), but glibc keeps freed chunks
/// in its arenas, and every reconnect starts new GStreamer streaming threads. Left alone, resident
/// memory stepped up ~10 % at the first reconnect and stayed there: `malloc_info` taken while the
/// stream ran showed 6.5 MB free in the heaps during the first session and 35–70 MB after a
/// reconnect, in chunks of 0.5–18 MB — the holes left by the previous session's large buffers
/// (restorer workspaces, encoder tables), with the new session's long-lived allocations between
/// them.
///
/// Two measures together remove it: video frames' arrays are recycled (Media's FrameStoragePool
/// and the output's buffer pool), so no frame-sized block churns through the heap; and blocks of
/// 4 MB and more get mappings of their own (a fixed mmap threshold instead of glibc's adaptive
/// one, which climbs to 32 MB), returned to the kernel when freed, so they leave no holes. That
/// costs page faults only for allocations of that size, which steady state does not make (the
/// restorer allocates its workspaces once per session). A 1 MB threshold, tried before the frames
/// were recycled, put every frame in a mapping of its own: ~3.8 ms of CPU per 720p frame in page
/// faults.
enum MallocTuning {
    static let mmapThreshold: Int32 = 4 << 20

    /// Caps glibc's arenas (default 8 per core) and fixes the mmap threshold. Call before the
    /// first thread starts; `MALLOC_ARENA_MAX` / `MALLOC_MMAP_THRESHOLD_` in the environment,
    /// when set, are left to win.
    static func configure(arenas count: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { mallopt(M_ARENA_MAX, count) }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { mallopt(M_MMAP_THRESHOLD, mmapThreshold) }
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
