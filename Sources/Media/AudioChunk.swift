/// A run of interleaved 32-bit float audio samples with the PTS of its first sample.
public struct AudioChunk: Sendable {
    public let sampleRate: Int
    public let channels: Int
    /// frames * channels values, interleaved.
    public let samples: [Float]
    public let pts: MediaTime
    /// Set on the first chunk after a gap or a discontinuity reported by GStreamer.
    public let discontinuity: Bool

    public init(sampleRate: Int, channels: Int, samples: [Float], pts: MediaTime, discontinuity: Bool = false) {
        precondition(channels > 0 && sampleRate > 0 && samples.count % channels == 0, "malformed audio chunk")
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
        self.pts = pts
        self.discontinuity = discontinuity
    }

    public var frameCount: Int { samples.count / channels }
    public var duration: MediaTime {
        MediaTime(nanoseconds: Int64(frameCount) * 1_000_000_000 / Int64(sampleRate))
    }
}
