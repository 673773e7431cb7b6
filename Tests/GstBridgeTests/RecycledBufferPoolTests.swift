import CGst
import Testing
@testable import GstBridge

@Suite("Output frame buffer pool")
struct RecycledBufferPoolTests {
    private func unref(_ buffer: UnsafeMutablePointer<GstBuffer>) {
        gst_mini_object_unref(UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: GstMiniObject.self))
    }

    /// A burst (every buffer still downstream) must not leave the pool bigger: after six frames
    /// in flight at once, the next round gets the same three pooled buffers and three one-offs.
    /// An unbounded pool keeps all six, which was a 2.8 MB RSS step per extra 720p frame.
    @Test("keeps at most its limit of buffers; a burst beyond it gets one-off buffers")
    func burstDoesNotGrowThePool() throws {
        try Gst.initialize()
        let pool = RecycledBufferPool(limit: 3)
        let size = 1280 * 720 * 3
        let first = (0..<6).compactMap { _ in pool.acquire(size: size) }
        #expect(first.count == 6)
        #expect(pool.counters == FrameBufferCounts(pooled: 3, oneOff: 3))
        let pooledAddresses = Set(first.filter { $0.pointee.pool != nil }.map { UInt(bitPattern: $0) })
        #expect(pooledAddresses.count == 3)
        for b in first { #expect(gst_buffer_get_size(b) == gsize(size)) }
        first.forEach(unref)

        let second = (0..<6).compactMap { _ in pool.acquire(size: size) }
        #expect(pool.counters == FrameBufferCounts(pooled: 6, oneOff: 6))
        let reused = Set(second.filter { $0.pointee.pool != nil }.map { UInt(bitPattern: $0) })
        #expect(reused == pooledAddresses)
        second.forEach(unref)
    }

    /// Steady streaming (each buffer back before the next frame) never allocates outside the pool.
    @Test("one buffer at a time is always recycled")
    func steadyStateStaysInThePool() throws {
        try Gst.initialize()
        let pool = RecycledBufferPool(limit: 2)
        var seen = Set<UInt>()
        for _ in 0..<20 {
            let b = try #require(pool.acquire(size: 4096))
            seen.insert(UInt(bitPattern: b))
            unref(b)
        }
        #expect(pool.counters == FrameBufferCounts(pooled: 20, oneOff: 0))
        #expect(seen.count == 1)
    }
}
