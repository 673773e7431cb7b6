import Foundation
import Media
import Restore
import Testing

private let nsPerSample: Int64 = 62_500  // 16 kHz
private let hop = MediaTime(nanoseconds: 10_000_000)

private func chunk(_ samples: [Float], at sample: Int, origin: MediaTime = .zero, channels: Int = 1,
                   rate: Int = 16_000, discontinuity: Bool = false) -> AudioChunk {
    AudioChunk(sampleRate: rate, channels: channels, samples: samples,
               pts: origin + MediaTime(nanoseconds: Int64(sample) * nsPerSample), discontinuity: discontinuity)
}

private var noClip: MFCCConfig {
    var c = MFCCConfig.model
    c.topDb = nil
    return c
}

private func streamOptions(_ clip: StreamingClip) -> MFCCStream.Options {
    var o = MFCCStream.Options()
    o.clip = clip
    return o
}

/// Feeds `samples` in random-sized contiguous chunks and returns every frame, finish included.
private func streamInRandomChunks(_ samples: [Float], stream: MFCCStream, origin: MediaTime, seed: UInt64,
                                  maxChunk: Int = 2000) throws -> [MFCCFrame] {
    var rng = SeededGenerator(seed: seed)
    var frames: [MFCCFrame] = []
    var at = 0
    while at < samples.count {
        let n = min(Int.random(in: 1...maxChunk, using: &rng), samples.count - at)
        frames += try stream.append(chunk(Array(samples[at..<(at + n)]), at: at, origin: origin))
        at += n
    }
    return frames + stream.finish()
}

@Suite("MFCC: streaming form")
struct MFCCStreamTests {
    @Test("random-sized chunks give exactly the batch frames, centred at origin + i·10 ms",
          arguments: [("synthetic", UInt64(1)), ("speech", UInt64(2)), ("speech", UInt64(3))])
    func chunkingInvariance(name: String, seed: UInt64) throws {
        let fixture = try MFCCFixture.load(name)
        let origin = MediaTime(nanoseconds: 1_234_000_000)
        let frames = try streamInRandomChunks(fixture.input, stream: try MFCCStream(config: noClip, options: streamOptions(.none)),
                                              origin: origin, seed: seed)
        let batch = try MFCC(config: noClip).compute(fixture.input)
        #expect(frames.count == batch.frameCount)
        #expect(frames.flatMap(\.coefficients) == batch.values)
        #expect(frames.enumerated().allSatisfy { $1.time == origin + MediaTime(nanoseconds: Int64($0) * hop.nanoseconds) })
        // And the unclipped streaming form is librosa's top_db=None pipeline.
        #expect(maxAbsDifference(frames.flatMap(\.coefficients), fixture.mfccNoTopDb) <= 1e-3)
    }

    @Test("frames leave as soon as their window is complete (12.5 ms after their centre)")
    func latency() throws {
        let stream = try MFCCStream()
        // Frame 0 covers samples −200 … 199, so it needs 200 samples; frame 1 needs 360.
        #expect(try stream.append(chunk([Float](repeating: 0.1, count: 199), at: 0)).isEmpty)
        #expect(try stream.append(chunk([0.1], at: 199)).count == 1)
        #expect(try stream.append(chunk([Float](repeating: 0.1, count: 159), at: 200)).isEmpty)
        #expect(try stream.append(chunk([0.1], at: 359)).count == 1)
        // finish() adds librosa's end-padded frames: 1 + 360/160 = 3 in all.
        #expect(stream.finish().count == 1)
    }

    @Test("running-max clip: from the loudest frame on, frames equal librosa's exact call (top_db = 80)",
          arguments: ["synthetic", "speech"])
    func runningMaxClip(name: String) throws {
        let fixture = try MFCCFixture.load(name)
        let frames = try streamInRandomChunks(fixture.input, stream: try MFCCStream(), origin: .zero, seed: 7)
        #expect(frames.count == fixture.frames)
        let loudest = fixture.loudestFrame
        let stream = frames.flatMap(\.coefficients)
        let tail = maxAbsDifference(stream[(loudest * 80)...], fixture.mfcc[(loudest * 80)...])
        print("streaming running-max \(name): frames \(loudest)… max |stream − librosa| = \(tail)")
        #expect(tail <= 1e-3)
        // Before it the running floor is at or below librosa's, so each band lies between the
        // unclipped value and librosa's clipped one; c0, a positive multiple of the bands' sum,
        // does too.
        for i in 0..<loudest {
            let c0 = frames[i].coefficients[0], clipped = fixture.mfcc[i * 80], unclipped = fixture.mfccNoTopDb[i * 80]
            #expect(c0 >= min(clipped, unclipped) - 1e-3 && c0 <= max(clipped, unclipped) + 1e-3)
        }
    }

    @Test("on a signal where the clip never bites, every clip mode equals the batch form with librosa's clip")
    func clipThatDoesNotBite() throws {
        // A steady tone plus noise: every band stays within 80 dB of the loudest.
        var rng = SeededGenerator(seed: 11)
        let y = (0..<8000).map { (i: Int) -> Float in
            let tone = Float(0.3 * sin(Double(i) * 0.2))
            return tone + 0.05 * Float.random(in: -1...1, using: &rng)
        }
        let exact = try MFCC().compute(y)
        let unclipped = try MFCC(config: noClip).compute(y)
        #expect(exact == unclipped)
        for mode in [StreamingClip.none, .runningMax, .trailingMax(frames: 20)] {
            let frames = try streamInRandomChunks(y, stream: try MFCCStream(options: streamOptions(mode)), origin: .zero, seed: 5)
            #expect(frames.flatMap(\.coefficients) == exact.values)
        }
    }

    @Test("trailing-max clip forgets a loud burst once it leaves the window; running max does not")
    func trailingMaxForgets() throws {
        var rng = SeededGenerator(seed: 17)
        // 0.2 s of loud noise, then 0.8 s about 94 dB quieter.
        let y = (0..<16_000).map { i in (i < 3200 ? 0.5 : 1e-5) * Float.random(in: -1...1, using: &rng) }
        let unclipped = try MFCC(config: noClip).compute(y)
        let exact = try MFCC().compute(y)
        let trailing = try streamInRandomChunks(y, stream: try MFCCStream(options: streamOptions(.trailingMax(frames: 10))),
                                                origin: .zero, seed: 1)
        let running = try streamInRandomChunks(y, stream: try MFCCStream(options: streamOptions(.runningMax)),
                                               origin: .zero, seed: 1)
        // Frames 22 … see no burst sample; from 32 on their last 10 frames do not either.
        for i in 32..<unclipped.frameCount {
            #expect(trailing[i].coefficients == Array(unclipped.frame(i)))
            #expect(running[i].coefficients == Array(exact.frame(i)))
        }
        #expect(unclipped.frame(40) != exact.frame(40))
    }

    @Test("late start: frame times start at the first chunk's PTS")
    func lateStart() throws {
        let stream = try MFCCStream()
        let origin = MediaTime(nanoseconds: 2_345_678_000)
        let frames = try stream.append(chunk([Float](repeating: 0.2, count: 1600), at: 0, origin: origin)) + stream.finish()
        #expect(frames.count == 11)
        #expect(frames.first?.time == origin)
        #expect(frames.last?.time == origin + MediaTime(nanoseconds: 100_000_000))
    }

    @Test("a gap is filled with silence up to the new PTS and counted; output equals the zero-filled batch")
    func gapFill() throws {
        var rng = SeededGenerator(seed: 3)
        let a = (0..<8000).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let b = (0..<4000).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let stream = try MFCCStream(config: noClip, options: streamOptions(.none))
        var frames = try stream.append(chunk(a, at: 0))
        frames += try stream.append(chunk(b, at: 8000 + 1600, discontinuity: true))  // 100 ms later
        frames += stream.finish()
        #expect(stream.statistics.gaps == 1)
        #expect(stream.statistics.gapSamples == 1600)
        #expect(stream.statistics.discontinuities == 1)
        let batch = try MFCC(config: noClip).compute(a + [Float](repeating: 0, count: 1600) + b)
        #expect(frames.flatMap(\.coefficients) == batch.values)
        // Frames 52 … 58 see only the filled silence: every band at −100 dB.
        for i in 52...58 { #expect(abs(frames[i].coefficients[0] + Float(100 * 80.0.squareRoot())) < 1e-3) }
        #expect(frames[75].time == MediaTime(nanoseconds: 750_000_000))
    }

    @Test("jitter within one sample period is neither a gap nor an overlap")
    func jitter() throws {
        let stream = try MFCCStream()
        _ = try stream.append(chunk([Float](repeating: 0.1, count: 800), at: 0))
        let late = AudioChunk(sampleRate: 16_000, channels: 1, samples: [Float](repeating: 0.1, count: 800),
                              pts: MediaTime(nanoseconds: 800 * nsPerSample + 40_000))
        let early = AudioChunk(sampleRate: 16_000, channels: 1, samples: [Float](repeating: 0.1, count: 800),
                               pts: MediaTime(nanoseconds: 1600 * nsPerSample - 50_000))
        _ = try stream.append(late)
        _ = try stream.append(early)
        #expect(stream.statistics.gaps == 0 && stream.statistics.overlaps == 0)
        #expect(stream.expectedNextPTS == MediaTime(nanoseconds: 2400 * nsPerSample))
    }

    @Test("an overlapping chunk loses its overlapping head; output equals the batch without it")
    func overlapDrop() throws {
        var rng = SeededGenerator(seed: 4)
        let a = (0..<4000).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let b = (0..<4000).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let stream = try MFCCStream(config: noClip, options: streamOptions(.none))
        var frames = try stream.append(chunk(a, at: 0))
        frames += try stream.append(chunk(b, at: 4000 - 160))  // 10 ms back
        frames += try stream.append(chunk([0.1, 0.2], at: 0))  // wholly in the past: all dropped
        frames += stream.finish()
        #expect(stream.statistics.overlaps == 2)
        #expect(stream.statistics.droppedSamples == 162)
        let batch = try MFCC(config: noClip).compute(a + b.dropFirst(160))
        #expect(frames.flatMap(\.coefficients) == batch.values)
    }

    @Test("a jump beyond maxGapFill restarts the segment at the new PTS instead of filling it")
    func restartOnLongGap() throws {
        let stream = try MFCCStream()
        var frames = try stream.append(chunk([Float](repeating: 0.1, count: 1600), at: 0))
        let restartAt = MediaTime(seconds: 5)
        frames += try stream.append(AudioChunk(sampleRate: 16_000, channels: 1,
                                               samples: [Float](repeating: 0.1, count: 1600), pts: restartAt))
        frames += stream.finish()
        #expect(stream.statistics.restarts == 1 && stream.statistics.gaps == 0)
        // 11 frames per 100 ms segment (each with its own end padding), the second on the new grid.
        #expect(frames.count == 22)
        #expect(frames[10].time == MediaTime(nanoseconds: 100_000_000))
        #expect(frames[11].time == restartAt)
    }

    @Test("stereo is averaged to mono; a wrong rate is a typed error naming the fix")
    func channelsAndRate() throws {
        var rng = SeededGenerator(seed: 9)
        let mono = (0..<3200).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let stereo = mono.flatMap { [$0, $0] }
        let s1 = try MFCCStream(), s2 = try MFCCStream()
        let f1 = try s1.append(chunk(mono, at: 0)) + s1.finish()
        let f2 = try s2.append(chunk(stereo, at: 0, channels: 2)) + s2.finish()
        #expect(f1 == f2)
        #expect(s2.statistics.downmixedChunks == 1)
        #expect(throws: MFCCError.sampleRateMismatch(expected: 16_000, got: 48_000)) {
            try s1.append(chunk([0], at: 0, rate: 48_000))
        }
        #expect(MFCCError.sampleRateMismatch(expected: 16_000, got: 48_000).description.contains("audioresample"))
    }

    @Test("empty chunks, silence and finish without audio do not crash")
    func degenerateInput() throws {
        let stream = try MFCCStream()
        #expect(stream.finish().isEmpty)
        #expect(try stream.append(chunk([], at: 0)).isEmpty)
        #expect(stream.finish().count == 0)
        let silent = try stream.append(chunk([Float](repeating: 0, count: 16_000), at: 0)) + stream.finish()
        #expect(silent.count == 101)
        #expect(silent.allSatisfy { $0.coefficients.allSatisfy { $0.isFinite } })
    }
}
