#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// glibc heap settings for a long-running stream.
///
/// Why: a session frees everything it built (pipelines, frame queues, the restorer's buffers),
/// but glibc keeps freed chunks in its arenas, and every reconnect starts new GStreamer streaming
/// threads. With the default 8 arenas per core, a camera that drops now and then made resident
/// memory climb by tens of MB per reconnect (+73 % over 4 restarts, +27 % with 2 arenas).
///
/// The mmap threshold is fixed at 4 MB (glibc's adaptive one climbs to 32 MB): `malloc_info`
/// taken during a soak showed the heaps holding free chunks of 0.5–18 MB after a reconnect — the
/// previous session's restorer workspaces and encoder tables, with the new session's blocks
/// between them; with the fixed threshold those blocks get mappings of their own, returned to
/// the kernel when freed, and the largest free chunk left was under 4 MB. Steady state allocates
/// nothing that large per frame (frames are recycled, see Media's FrameStoragePool), so it
/// costs no CPU we could measure (`perf stat` over 30 s of `bench live`: 70.7 s of task clock
/// either way). The one-time RSS step at the first reconnect had another cause (huge pages,
/// below). A 1 MB threshold, tried before frames were recycled, gave every frame a
/// mapping of its own: ~3.8 ms of CPU per 720p frame in page faults.
///
/// Transparent huge pages are turned off for the process. x264 allocates its frame buffers
/// 2 MB-aligned from malloc and madvises them MADV_HUGEPAGE; those heap ranges keep the flag
/// after the encoder of a session is freed, glibc reuses them for anything, and khugepaged
/// (max_ptes_none 511 by default) fills sparsely used 2 MB ranges back into whole huge pages
/// after every trim. In a soak the daemon held 16 such ranges, 71 MB resident (44 MB as huge
/// pages), where they landed differing from one session to the next: this was the RSS "step"
/// after the first reconnect and the ±7 MB between sessions. Without them the 720p encoder
/// loses some TLB reach; see README "Robustness" for what was measured.
enum MallocTuning {
    static let mmapThreshold: Int32 = 4 << 20

    /// Caps glibc's arenas (default 8 per core), fixes the mmap threshold and turns transparent
    /// huge pages off. Call before the first thread starts; `MALLOC_ARENA_MAX` /
    /// `MALLOC_MMAP_THRESHOLD_` in the environment, when set, are left to win, and
    /// `FACERESTORED_HUGEPAGES=1` keeps huge pages.
    static func configure(arenas count: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { mallopt(M_ARENA_MAX, count) }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { mallopt(M_MMAP_THRESHOLD, mmapThreshold) }
        if getenv("FACERESTORED_HUGEPAGES") != nil { return }
        // Fails only on kernels before 3.15; nothing to do then but run as before.
        _ = fr_disable_transparent_hugepages()
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
