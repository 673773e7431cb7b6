import Media
import Testing

@Suite("Frame storage pool")
struct FrameStoragePoolTests {
    @Test("an array given back is handed out again, oldest first, with the size asked for")
    func reuse() {
        let pool = FrameStoragePool(limit: 4)
        let a = pool.take(count: 12)
        #expect(a.count == 12 && pool.counters.allocated == 1)
        pool.give([UInt8](repeating: 1, count: 12))
        pool.give([UInt8](repeating: 2, count: 12))
        pool.give([UInt8](repeating: 9, count: 6))
        #expect(pool.take(count: 12).first == 1)
        #expect(pool.take(count: 6).first == 9)
        #expect(pool.take(count: 12).first == 2)
        let c = pool.counters
        #expect(c.reused == 3 && c.allocated == 1 && c.released == 0)
        #expect(pool.take(count: 12).count == 12 && pool.counters.allocated == 2)
    }

    @Test("the pool keeps at most its limit, and the same storage once")
    func bounded() {
        let pool = FrameStoragePool(limit: 2)
        let shared = [UInt8](repeating: 7, count: 8)
        pool.give(shared)
        pool.give(shared)
        #expect(pool.spareCount == 1)
        pool.give([UInt8](repeating: 1, count: 8))
        pool.give([UInt8](repeating: 2, count: 8))
        #expect(pool.spareCount == 2 && pool.counters.released == 1)
        // The oldest (the shared one) went back to the allocator.
        #expect(pool.take(count: 8).first == 1)
        pool.give([])
        #expect(pool.spareCount == 1)
    }

    @Test("an array still held elsewhere is copied on write, never changed under its holder")
    func copyOnWrite() {
        let pool = FrameStoragePool(limit: 2)
        let kept = [UInt8](repeating: 5, count: 16)   // e.g. the last frame held for an outage
        pool.give(kept)
        let reused = pool.fill(count: 16) { $0.update(repeating: 0) }
        #expect(kept.allSatisfy { $0 == 5 })
        #expect(reused.allSatisfy { $0 == 0 })
        #expect(pool.counters.copiedOnWrite == 1 && pool.counters.reused == 1)
        // An array nobody else holds is written in place.
        pool.give([UInt8](repeating: 9, count: 16))
        _ = pool.fill(count: 16) { $0.update(repeating: 1) }
        #expect(pool.counters.copiedOnWrite == 1 && pool.counters.reused == 2)
    }

    @Test("frames know whether they share their pixels' storage")
    func sharedPixels() {
        let a = VideoFrame(width: 2, height: 1, pixels: [UInt8](repeating: 3, count: 6), pts: .zero, sequence: 0, arrivalNanos: 0)
        var b = a
        #expect(a.sharesPixels(with: b))
        b.pixels[0] = 4
        #expect(!a.sharesPixels(with: b))
    }

    @Test("copy(of:) returns the same bytes in recycled storage")
    func copyOf() {
        let pool = FrameStoragePool()
        pool.give([UInt8](repeating: 0, count: 5))
        let source: [UInt8] = [1, 2, 3, 4, 5]
        #expect(pool.copy(of: source) == source)
        #expect(pool.counters.reused == 1 && pool.counters.allocated == 0)
    }
}
