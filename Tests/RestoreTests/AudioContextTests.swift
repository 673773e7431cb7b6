import Media
import Restore
import Testing

private func ms(_ v: Double) -> MediaTime { MediaTime(nanoseconds: Int64((v * 1e6).rounded())) }

/// Frames every 10 ms from `start` whose coefficients all equal their index, so that a
/// context's rows say which frame they took.
private func store(frames: Int, start: MediaTime = .zero, horizon: MediaTime = MediaTime(seconds: 2),
                   capacity: Int = 1000) -> AudioContextStore {
    var s = AudioContextStore(horizon: horizon, capacity: capacity)
    for i in 0..<frames {
        s.insert(MFCCFrame(time: start + MediaTime(nanoseconds: Int64(i) * 10_000_000),
                           coefficients: [Float](repeating: Float(i), count: 80)))
    }
    return s
}

private func rowIndices(_ c: AudioContext) -> [Float?] {
    (0..<c.size).map { j in c.frameTimes[j] == nil ? nil : c.features[j * 80] }
}

@Suite("Audio context: MFCC frames around a video frame, by PTS")
struct AudioContextTests {
    @Test("25 fps: frames fall on the 10 ms grid, t−20 … t+20 ms")
    func fps25() {
        var s = store(frames: 300)
        let c = s.context(at: ms(200))  // video frame 5
        #expect(c.frameTimes == [ms(180), ms(190), ms(200), ms(210), ms(220)])
        #expect(rowIndices(c) == [18, 19, 20, 21, 22])
        #expect(c.features.count == 5 * 80 && c.isComplete)
        // Rows are frame-major: row j is 80 contiguous values of one frame.
        #expect(c.features[80..<160].allSatisfy { $0 == 19 })
    }

    @Test("30 fps: frame times miss the grid; the nearest MFCC frame is taken")
    func fps30() {
        var s = store(frames: 300)
        let period = 1e3 / 30
        // t = 33.333 ms: targets 13.3, 23.3, 33.3, 43.3, 53.3 ms → frames 1 … 5.
        #expect(rowIndices(s.context(at: ms(period))) == [1, 2, 3, 4, 5])
        // t = 66.667 ms: targets 46.7 … 86.7 ms → frames 5 … 9.
        #expect(rowIndices(s.context(at: ms(2 * period))) == [5, 6, 7, 8, 9])
        // t = 1000 ms (frame 30): back on the grid.
        #expect(rowIndices(s.context(at: ms(30 * period))) == [98, 99, 100, 101, 102])
    }

    @Test("context sizes 3 and 7; a tie between two frames goes to the earlier")
    func sizesAndTies() {
        var s = store(frames: 100)
        #expect(rowIndices(s.context(at: ms(500), size: 3)) == [49, 50, 51])
        #expect(rowIndices(s.context(at: ms(500), size: 7)) == [47, 48, 49, 50, 51, 52, 53])
        #expect(rowIndices(s.context(at: ms(505), size: 1)) == [50])
    }

    @Test("late audio start: rows before the first MFCC frame are zeros and counted missing")
    func lateStart() {
        var s = store(frames: 100, start: ms(1000))
        let c = s.context(at: ms(1000))
        #expect(c.missingFrames == 2)
        #expect(c.frameTimes == [nil, nil, ms(1000), ms(1010), ms(1020)])
        #expect(c.features[0..<160].allSatisfy { $0 == 0 })
        // The t−20 ms row: 5 ms before the first frame is within half a hop of it, 6 ms is not.
        #expect(s.context(at: ms(1015)).missingFrames == 0)
        #expect(s.context(at: ms(1014)).missingFrames == 1)
    }

    @Test("audio not yet arrived, no audio at all, and holes are missing rows of zeros")
    func missing() {
        var s = store(frames: 100)  // 0 … 990 ms
        #expect(s.context(at: ms(990)).missingFrames == 2)
        var empty = AudioContextStore()
        let none = empty.context(at: ms(400))
        #expect(none.isAllMissing && none.features.allSatisfy { $0 == 0 })
        // A restarted stream leaves a hole between segments.
        var holed = store(frames: 10)  // 0 … 90 ms
        holed.insert(MFCCFrame(time: ms(500), coefficients: [Float](repeating: 7, count: 80)))
        let c = holed.context(at: ms(480))
        #expect(c.missingFrames == 4 && rowIndices(c) == [nil, nil, nil, nil, 7])
    }

    @Test("memory is bounded: frames 2 s behind the latest query go, and capacity caps the rest")
    func bounded() {
        var s = store(frames: 1000)  // 0 … 9.99 s
        _ = s.context(at: MediaTime(seconds: 5))
        #expect(s.earliestTime == MediaTime(seconds: 3))
        // An earlier query (out of order) still answers from what is kept …
        #expect(s.context(at: MediaTime(seconds: 4)).isComplete)
        // … but what was pruned is gone.
        #expect(s.context(at: MediaTime(seconds: 2)).missingFrames == 5)
        let capped = store(frames: 5000, capacity: 500)
        #expect(capped.count == 500)
        #expect(capped.latestTime == MediaTime(nanoseconds: 4999 * 10_000_000))
    }

    @Test("frames arriving with earlier times (a new timeline) replace the stored ones from there")
    func backwardInsert() {
        var s = store(frames: 50)  // 0 … 490 ms
        s.insert(MFCCFrame(time: ms(200), coefficients: [Float](repeating: -1, count: 80)))
        #expect(s.count == 21 && s.latestTime == ms(200))
        #expect(rowIndices(s.context(at: ms(190), size: 3)) == [18, 19, -1])
    }

    @Test("stream → store: context of a video frame holds the stream's frames for t−20 … t+20 ms")
    func endToEnd() throws {
        let stream = try MFCCStream()
        var s = AudioContextStore()
        let origin = ms(40)
        var rng = SeededGenerator(seed: 21)
        let samples = (0..<16_000).map { _ in Float.random(in: -0.3...0.3, using: &rng) }
        var frames: [MFCCFrame] = []
        for k in 0..<10 {
            let part = Array(samples[(k * 1600)..<((k + 1) * 1600)])
            let f = try stream.append(AudioChunk(sampleRate: 16_000, channels: 1, samples: part,
                                                 pts: origin + MediaTime(nanoseconds: Int64(k) * 100_000_000)))
            frames += f
            s.insert(contentsOf: f)
        }
        let c = s.context(at: ms(440))  // 25 fps frame 11: audio frames 38 … 42 after the 40 ms start
        #expect(c.isComplete)
        #expect(Array(c.features[0..<80]) == frames[38].coefficients)
        #expect(Array(c.features[320..<400]) == frames[42].coefficients)
    }
}
