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
/// The mmap threshold is fixed at 1 MB (glibc's adaptive one climbs to 32 MB), so that every
/// block of a frame's size or more — decoder and encoder frames, restorer workspaces, the 2 MB
/// aligned buffers x264 asks for — gets a mapping of its own, returned to the kernel when freed,
/// instead of a place in an arena between longer-lived blocks. With 4 MB, `malloc_stats` in a
/// soak showed live heap steady (141–153 MiB) while the arenas held 163–207 MiB, and each
/// session settled 246–271 MB RSS depending on where its blocks had landed; with 1 MB the
/// sessions of the same 12-minute soak settled at 243–251 MB. It is cheap only because steady
/// streaming allocates nothing that large per frame: the input's and the paste's frames are
/// recycled (Media's FrameStoragePool), the output's come from a GstBufferPool, and libav
/// decoders run without direct rendering (GstBridge's input), whose per-frame deep copy alone
/// cost 350 page faults per 720p frame at this threshold. Before those, a 1 MB threshold cost
/// ~3.8 ms of CPU per 720p frame in page faults; `bench live` prints the faults per frame.
///
/// The trim threshold is raised from glibc's 128 kB (fixed once the mmap threshold is) to 4 MB:
/// per-frame blocks under 1 MB (FHOG maps, paste weights, encoder bitstreams) freed at the top
/// of a heap otherwise shrank it, and the next frame faulted the pages back in: 316 page faults
/// per 720p frame in `bench live`, 0.1 with 4 MB. The session's periodic `malloc_trim` (which
/// ignores the threshold) still hands everything free back.
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
    static let mmapThreshold: Int32 = 1 << 20
    static let trimThreshold: Int32 = 4 << 20

    /// Caps glibc's arenas (default 8 per core), fixes the mmap and trim thresholds and turns
    /// transparent huge pages off. Call before the first thread starts; `MALLOC_ARENA_MAX`,
    /// `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` in the environment, when set, win, and
    /// `FACERESTORED_HUGEPAGES=1` keeps huge pages.
    static func configure(arenas count: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { mallopt(M_ARENA_MAX, count) }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { mallopt(M_MMAP_THRESHOLD, mmapThreshold) }
        if getenv("MALLOC_TRIM_THRESHOLD_") == nil { mallopt(M_TRIM_THRESHOLD, trimThreshold) }
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
