import Media
import Restore
import Testing

private func frame(_ i: Int) -> VideoFrame {
    VideoFrame(width: 1, height: 1, pixels: [UInt8(i % 256), 0, 0], pts: MediaTime(nanoseconds: Int64(i) * 40_000_000),
               sequence: i, arrivalNanos: 0)
}

@Suite("Restoration slot: 5-frame lookahead window (Δ = 2)")
struct LookaheadWindowTests {
    @Test("frame t is released exactly when frame t+2 arrives, in order, with t−2…t+2 around it")
    func releaseTiming() {
        var w = LookaheadWindow(radius: 2)
        #expect(w.push(frame(0)) == nil)
        #expect(w.push(frame(1)) == nil)
        let first = w.push(frame(2))
        #expect(first?.centreFrame.sequence == 0)
        // Edge padding: the missing past repeats frame 0.
        #expect(first?.frames.map(\.sequence) == [0, 0, 0, 1, 2])
        let second = w.push(frame(3))
        #expect(second?.frames.map(\.sequence) == [0, 0, 1, 2, 3])
        var released = [0, 1]
        for i in 4..<20 {
            let win = w.push(frame(i))
            #expect(win?.frames.map(\.sequence) == [i - 4, i - 3, i - 2, i - 1, i])
            released.append(win!.centreFrame.sequence)
        }
        let tail = w.flush()
        #expect(tail.map(\.centreFrame.sequence) == [18, 19])
        #expect(tail.last?.frames.map(\.sequence) == [17, 18, 19, 19, 19])
        released += tail.map(\.centreFrame.sequence)
        #expect(released == Array(0..<20))
    }

    @Test("frames no later window needs go back to the pool, each once")
    func recyclesEvictedFrames() {
        var w = LookaheadWindow(radius: 2)
        let pool = FrameStoragePool(limit: 64)
        w.recycleInto = pool
        var windows = 0
        for i in 0..<20 { if w.push(frame(i)) != nil { windows += 1 } }
        #expect(windows == 18)
        // Frames 0…15 are behind every window still to come (18 and 19 need 16 and 17); 15 was
        // still in the last window released (centre 17), so it goes back at the next release.
        #expect(pool.spareCount == 15)
        #expect(pool.take(count: 3).first == 0)
    }

    /// What a session does: decoded frames are written into recycled arrays, and processing
    /// copies the centre into another. No array may come back while a window still holds it,
    /// or writing it would copy-on-write (an allocation per frame, which the pool is for).
    @Test("no frame goes back to the pool while the window being processed holds it")
    func noRecycledArrayStillHeld() {
        var w = LookaheadWindow(radius: 2)
        let pool = FrameStoragePool(limit: 4)
        w.recycleInto = pool
        var windows = 0
        for i in 0..<40 {
            let pixels = pool.fill(count: 300) { $0.update(repeating: UInt8(i)) }
            let f = VideoFrame(width: 10, height: 10, pixels: pixels, pts: MediaTime(nanoseconds: Int64(i) * 40_000_000),
                               sequence: i, arrivalNanos: 0)
            guard let released = w.push(f) else { continue }
            windows += 1
            let restored = pool.copy(of: released.centreFrame.pixels)
            #expect(released.frames.allSatisfy { frame in frame.pixels.allSatisfy { $0 == UInt8(frame.sequence) } })
            #expect(restored.first == UInt8(released.centreFrame.sequence))
            pool.give(restored)
        }
        #expect(windows == 38)
        #expect(pool.counters.copiedOnWrite == 0)
        #expect(pool.counters.allocated <= 8)
    }

    @Test("memory stays bounded to 2Δ+1 frames on an endless stream")
    func bounded() {
        var w = LookaheadWindow(radius: 2)
        for i in 0..<1000 { _ = w.push(frame(i)) }
        #expect(w.count <= 5)
    }

    @Test("a stream shorter than the lookahead still releases every frame")
    func shortStream() {
        var w = LookaheadWindow(radius: 2)
        #expect(w.push(frame(0)) == nil)
        let out = w.flush()
        #expect(out.count == 1)
        #expect(out[0].frames.map(\.sequence) == [0, 0, 0, 0, 0])
    }

    @Test("the identity processor returns the centre frame untouched")
    func identity() {
        var w = LookaheadWindow(radius: 2)
        _ = w.push(frame(7)); _ = w.push(frame(8))
        let win = w.push(frame(9))!
        #expect(IdentityProcessor().process(win).pixels == frame(7).pixels)
    }
}

@Suite("Overload policy")
struct OverloadPolicyTests {
    @Test("passes through when a frame is older than the budget or the backlog is deep")
    func decisions() {
        let p = OverloadPolicy(latencyBudgetMs: 100, maxBacklog: 3)
        #expect(!p.shouldPassThrough(frameArrival: 0, now: 50_000_000, backlog: 0))
        #expect(p.shouldPassThrough(frameArrival: 0, now: 150_000_000, backlog: 0))
        #expect(p.shouldPassThrough(frameArrival: 0, now: 1, backlog: 4))
        #expect(!OverloadPolicy.never.shouldPassThrough(frameArrival: 0, now: .max, backlog: 1_000_000))
    }
}
