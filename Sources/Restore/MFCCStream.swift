import Media

/// One MFCC frame on the PTS axis.
public struct MFCCFrame: Sendable, Equatable {
    /// The frame's centre: with centred frames, frame i of a segment is centred on the segment's
    /// first-sample PTS + i · hop (10 ms for the model).
    public let time: MediaTime
    public let coefficients: [Float]

    public init(time: MediaTime, coefficients: [Float]) {
        self.time = time
        self.coefficients = coefficients
    }
}

/// What the stream did to keep audio on the PTS axis; for metrics and logs.
public struct MFCCStreamStatistics: Sendable, Equatable {
    public var chunks = 0
    /// Input samples used (after down-mixing and overlap removal; zero fill not included).
    public var samples = 0
    public var frames = 0
    /// Chunks that started later than the previous one ended; the hole was filled with silence.
    public var gaps = 0
    public var gapSamples = 0
    /// Chunks that started before the previous one ended; their overlapping head was dropped.
    public var overlaps = 0
    public var droppedSamples = 0
    /// Chunks GStreamer flagged as discontinuous (counted; the PTS decide what happens).
    public var discontinuities = 0
    /// Jumps too large to bridge (see `MFCCStream.Options`): the stream ended the segment with
    /// librosa's end padding and began a new one at the new PTS.
    public var restarts = 0
    /// Chunks with more than one channel, averaged to mono.
    public var downmixedChunks = 0
    public init() {}
}

/// MFCCs of live audio: chunks in, frames out as soon as their window is complete.
///
/// Frame arithmetic is `MFCC`'s, so for contiguous audio the frames equal the batch form on the
/// concatenated samples (bit-identical with `clip: .none` against `topDb = nil`; with a clip see
/// `StreamingClip`). A frame is ready once the sample at centre + winLength/2 has arrived, i.e.
/// 12.5 ms after its centre time for the model; `finish()` emits the rest with librosa's zero
/// end padding.
///
/// PTS handling, all measured against where the next sample is expected (the first chunk's PTS
/// plus the samples taken since, at the nominal rate):
/// - late start: the first chunk's PTS is sample 0, wherever it lies; frames before it do not
///   exist (context lookups see them as missing).
/// - gap (chunk later by more than `jitterToleranceSamples`): zeros fill up to the new PTS and
///   the gap is counted; beyond `maxGapFill` the segment is restarted instead.
/// - overlap (chunk earlier by more than the tolerance): its overlapping head is dropped and
///   counted; beyond `maxBackwardJump` the segment is restarted.
/// - jitter within the tolerance: samples are taken as contiguous.
/// - GStreamer's discontinuity flag is only counted: the PTS say whether anything is missing.
/// Input must be at `config.sampleRate` (16 kHz): the pipeline resamples, and a chunk at another
/// rate is an error. Multi-channel chunks are averaged to mono.
///
/// Owned by one thread (the stream's restoration thread): not Sendable.
public final class MFCCStream {
    public struct Options: Sendable, Equatable {
        public var clip: StreamingClip = .runningMax
        /// PTS deviations up to this many sample periods are jitter, not gaps or overlaps.
        public var jitterToleranceSamples: Int = 1
        /// Gaps longer than this are not zero-filled: the segment restarts at the new PTS, so a
        /// source that stalls for minutes does not cost minutes of silent frames.
        public var maxGapFill = MediaTime(seconds: 1)
        /// Backward jumps longer than this (a new timeline, not jitter) restart the segment.
        public var maxBackwardJump = MediaTime(seconds: 1)
        public init() {}
    }

    public let config: MFCCConfig
    public let options: Options
    public private(set) var statistics = MFCCStreamStatistics()

    private let kernel: MFCCKernel
    private var clip: ClipReference
    /// PTS of sample 0 of the current segment; nil before the first chunk and after `finish`.
    private var origin: MediaTime?
    /// Samples of the segment so far, zero fill included.
    private var received = 0
    /// Samples `bufferStart ..< received` of the segment: what frames still to come can read.
    private var buffer: [Float] = []
    private var bufferStart = 0
    private var nextFrame = 0
    private var logMel: [Double]

    public init(config: MFCCConfig = .model, options: Options = Options()) throws(MFCCError) {
        self.kernel = try MFCCKernel(config: config)
        if case .trailingMax(let n) = options.clip, n <= 0 {
            throw MFCCError.invalidConfiguration("StreamingClip.trailingMax needs frames > 0, got \(n)")
        }
        self.config = config
        self.options = options
        self.clip = ClipReference(mode: options.clip, topDb: config.topDb)
        self.logMel = [Double](repeating: 0, count: config.nMels)
    }

    /// Where the next sample is expected on the PTS axis; nil before the first chunk.
    public var expectedNextPTS: MediaTime? {
        origin.map { $0 + MediaTime(nanoseconds: config.sampleTimeNanos(received)) }
    }

    /// Takes one chunk and returns the frames it completed, in time order.
    public func append(_ chunk: AudioChunk) throws(MFCCError) -> [MFCCFrame] {
        guard chunk.sampleRate == config.sampleRate else {
            throw MFCCError.sampleRateMismatch(expected: config.sampleRate, got: chunk.sampleRate)
        }
        statistics.chunks += 1
        if chunk.discontinuity { statistics.discontinuities += 1 }
        var mono = chunk.samples
        if chunk.channels > 1 {
            statistics.downmixedChunks += 1
            mono = Self.downmix(chunk.samples, channels: chunk.channels)
        }
        var frames: [MFCCFrame] = []
        var skip = 0
        if let expected = expectedNextPTS {
            let delta = (chunk.pts - expected).nanoseconds
            let period = Double(1_000_000_000) / Double(config.sampleRate)
            let tolerance = Double(options.jitterToleranceSamples) * period
            let samplesOff = Int((Double(abs(delta)) / period).rounded())
            if Double(delta) > tolerance {
                if delta > options.maxGapFill.nanoseconds {
                    restart(at: chunk.pts, flushingInto: &frames)
                } else {
                    statistics.gaps += 1
                    statistics.gapSamples += samplesOff
                    take(repeatElement(0, count: samplesOff), into: &frames)
                }
            } else if Double(-delta) > tolerance {
                if -delta > options.maxBackwardJump.nanoseconds {
                    restart(at: chunk.pts, flushingInto: &frames)
                } else {
                    statistics.overlaps += 1
                    skip = min(samplesOff, mono.count)
                    statistics.droppedSamples += skip
                }
            }
        } else {
            origin = chunk.pts
        }
        statistics.samples += mono.count - skip
        take(mono[skip...], into: &frames)
        return frames
    }

    /// Ends the segment: emits its remaining frames with librosa's zero end padding. A later
    /// `append` starts a new segment at its chunk's PTS.
    public func finish() -> [MFCCFrame] {
        var frames: [MFCCFrame] = []
        flushSegment(into: &frames)
        return frames
    }

    private func restart(at pts: MediaTime, flushingInto frames: inout [MFCCFrame]) {
        statistics.restarts += 1
        flushSegment(into: &frames)
        origin = pts
    }

    private func flushSegment(into frames: inout [MFCCFrame]) {
        if origin != nil {
            emit(upTo: config.frameCount(forSamples: received), into: &frames)
        }
        origin = nil
        received = 0
        buffer.removeAll(keepingCapacity: true)
        bufferStart = 0
        nextFrame = 0
    }

    private func take<S: Sequence<Float>>(_ samples: S, into frames: inout [MFCCFrame]) {
        buffer.append(contentsOf: samples)
        received = bufferStart + buffer.count
        // Frame i is complete once its window's last sample has arrived.
        let ready = received - config.windowStart(ofFrame: 0) - config.winLength
        if ready >= 0 { emit(upTo: ready / config.hopLength + 1, into: &frames) }
        // Keep only what the next frame's window can still read.
        let keepFrom = max(0, min(config.windowStart(ofFrame: nextFrame), received))
        let drop = keepFrom - bufferStart
        if drop > 0 && drop * 2 >= buffer.count {
            buffer.removeFirst(drop)
            bufferStart = keepFrom
        }
    }

    private func emit(upTo end: Int, into frames: inout [MFCCFrame]) {
        guard let origin, nextFrame < end else { return }
        buffer.withUnsafeBufferPointer { samples in
            logMel.withUnsafeMutableBufferPointer { lm in
                while nextFrame < end {
                    let largest = kernel.logMel(frame: nextFrame, samples: samples, firstIndex: bufferStart,
                                                into: lm.baseAddress!)
                    let floor = clip.floor(afterFrameMax: largest)
                    var coefficients = [Float](repeating: 0, count: config.nMFCC)
                    coefficients.withUnsafeMutableBufferPointer { c in
                        kernel.cepstrum(logMel: UnsafePointer(lm.baseAddress!), floor: floor, into: c.baseAddress!)
                    }
                    let centre = origin + MediaTime(nanoseconds: config.sampleTimeNanos(nextFrame * config.hopLength))
                    frames.append(MFCCFrame(time: centre, coefficients: coefficients))
                    nextFrame += 1
                    statistics.frames += 1
                }
            }
        }
    }

    /// Mean of the channels: the model hears one voice track, and averaging keeps the level of
    /// a dual-mono source unchanged.
    static func downmix(_ interleaved: [Float], channels: Int) -> [Float] {
        let frames = interleaved.count / channels
        let scale = 1 / Float(channels)
        return (0..<frames).map { f in
            var sum: Float = 0
            for c in 0..<channels { sum += interleaved[f * channels + c] }
            return sum * scale
        }
    }
}

@available(*, unavailable, message: "owned by one thread: it holds FFTW scratch buffers and stream state")
extension MFCCStream: Sendable {}
