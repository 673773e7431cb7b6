import Foundation
import Media
import Testing

@Suite("Bounded hand-over queue")
struct BoundedQueueTests {
    @Test("keeps FIFO order and ends after finish")
    func fifo() {
        let q = BoundedQueue<Int>(capacity: 4, policy: .block)
        for i in 0..<4 { #expect(q.push(i)) }
        q.finish()
        #expect(!q.push(99))
        var out: [Int] = []
        while let v = q.pop() { out.append(v) }
        #expect(out == [0, 1, 2, 3])
    }

    @Test("live policy drops the oldest element and counts it; it never blocks the producer")
    func dropOldest() {
        let q = BoundedQueue<Int>(capacity: 3, policy: .dropOldest)
        for i in 0..<10 { q.push(i) }
        #expect(q.droppedCount == 7)
        #expect(q.count == 3)
        var out: [Int] = []
        while case .element(let v) = q.tryPop() { out.append(v) }
        #expect(out == [7, 8, 9])
    }

    @Test("file policy blocks a full producer until the consumer takes an element")
    func blocks() async {
        let q = BoundedQueue<Int>(capacity: 1, policy: .block)
        q.push(1)
        let pushed = LockedValue(false)
        let thread = Thread {
            q.push(2)
            pushed.set(true)
        }
        thread.start()
        try? await Task.sleep(nanoseconds: 100_000_000)
        #expect(pushed.get() == false)
        #expect(q.pop() == 1)
        let deadline = Date(timeIntervalSinceNow: 2)
        while !pushed.get() && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
        #expect(pushed.get())
        #expect(q.droppedCount == 0)
    }

    @Test("pop with a time-out reports empty, then finished")
    func timeouts() {
        let q = BoundedQueue<String>(capacity: 2, policy: .block)
        if case .empty = q.pop(timeout: 0.01) {} else { Issue.record("expected empty") }
        q.finish()
        if case .finished = q.pop(timeout: 0.01) {} else { Issue.record("expected finished") }
    }

    @Test("finished is not drained while elements pushed before finish() remain")
    func drainedMeansFinishedAndEmpty() {
        let q = BoundedQueue<Int>(capacity: 4, policy: .dropOldest)
        q.push(1)
        q.push(2)
        #expect(!q.isFinished && !q.isDrained)
        q.finish()
        // The race a consumer loses when it checks isFinished after an empty pop: the producer
        // pushed its last elements and finished in between.
        #expect(q.isFinished && !q.isDrained)
        _ = q.tryPop()
        #expect(!q.isDrained)
        _ = q.tryPop()
        #expect(q.isDrained)
    }

    @Test("the async sequence yields everything pushed from another thread")
    func asyncSequence() async {
        let q = BoundedQueue<Int>(capacity: 8, policy: .block)
        Thread {
            for i in 0..<100 { q.push(i) }
            q.finish()
        }.start()
        var sum = 0
        for await v in q { sum += v }
        #expect(sum == 4950)
    }
}

@Suite("Media values")
struct MediaValueTests {
    @Test("frame rates and durations")
    func frameRate() {
        #expect(FrameRate(30000, 1001).frameDuration?.nanoseconds == 33_366_666)
        #expect(FrameRate(25, 1).frameDuration == MediaTime(nanoseconds: 40_000_000))
        #expect(FrameRate(0, 1).isVariable && FrameRate(0, 1).frameDuration == nil)
    }

    @Test("audio chunk duration follows its sample rate")
    func audioDuration() {
        let chunk = AudioChunk(sampleRate: 16000, channels: 2, samples: [Float](repeating: 0, count: 3200), pts: .zero)
        #expect(chunk.frameCount == 1600)
        #expect(chunk.duration == MediaTime(nanoseconds: 100_000_000))
    }
}
