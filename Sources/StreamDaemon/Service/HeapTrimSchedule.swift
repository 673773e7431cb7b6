/// When a session hands freed heap back to the kernel (`MallocTuning.releaseFreedMemory`).
///
/// Why early and often: a session's first seconds free a lot at once — the held picture's
/// encoder, stopped when the source flows again, and the start-up buffers of the new
/// pipelines — and streaming then leaves ~0.3 MB/s of freed chunks in glibc's arenas. With a
/// trim every 30 s, each session ran ~10–35 MB above its own later level for its first half
/// minute and RSS then rose ~20 MB between trims (soak samples, 2026-12-02), so the short
/// sessions of a flapping camera looked like growth. A trim costs 0–7 ms (debug log, 720p) and
/// returns 5–12 MB. The gaps start short and double up to `period`: 2, 6, 14 s, then every 10 s.
struct HeapTrimSchedule {
    let period: Double
    private var gap: Double
    private var next: Double

    /// - Parameters: times in seconds since the session started.
    init(first: Double = 2, period: Double = 10) {
        precondition(first > 0 && period >= first, "trim gaps must be positive and grow to the period")
        self.period = period
        gap = first
        next = first
    }

    /// Whether a trim is due at `elapsed` seconds into the session; if so the next one is
    /// scheduled (one trim however late the check comes).
    mutating func isDue(at elapsed: Double) -> Bool {
        guard elapsed >= next else { return false }
        gap = min(period, gap * 2)
        next = elapsed + gap
        return true
    }
}
