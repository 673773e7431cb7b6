import GstBridge
import Media

/// What one run of a stream did, for the CLI summary and the benchmarks.
struct SessionReport: Sendable {
    var framesIn = 0
    var framesOut = 0
    /// Frames that left unrestored because restoration was behind.
    var passthrough = 0
    /// Frames lost before restoration because the live queue overflowed.
    var dropped = 0
    /// Frames GStreamer delivered that could not be read.
    var rejected = 0
    /// Frames missing from the source: gaps in its timestamps (damage, lost packets).
    var missingFrames = 0
    /// Frames written with a repaired timestamp (theirs was not after the previous frame's).
    var restamped = 0
    /// Restored frames the output refused (non-increasing timestamps after a splice, or stopped).
    var unsent = 0
    /// Live: frames dropped at the encoder's input because it was behind (never blocks).
    var encoderDropped = 0
    var audioChunksOut = 0
    var hasAudio = false
    var wallSeconds = 0.0
    var latency = LatencyStats()
    /// The source's error, if it ended with one (output was still finalised).
    var sourceError: String?
    /// Times the source's audio track appeared or went away mid-stream.
    var audioTrackChanges = 0
    /// Set when a live session ended so that a new one can rebuild the outputs for a source
    /// whose set of streams changed.
    var restartReason: String?
    /// The input's frame arrays: how many were recycled, newly allocated, or copied on write.
    var frameArrays = FrameStoragePool.Counters()
    /// The output's frame buffers: recycled from its pool, or one-off while the encoder was behind.
    var outputBuffers = FrameBufferCounts()

    /// Monotonic times of the first frame's arrival and of the outputs' last byte: the
    /// throughput window, which leaves out pipeline start-up but includes the final encode.
    var firstInNanos: UInt64?
    var finishedNanos: UInt64?

    var fps: Double {
        guard let a = firstInNanos, let b = finishedNanos, b > a else {
            return wallSeconds > 0 ? Double(framesOut) / wallSeconds : 0
        }
        return Double(framesOut) / (Double(b - a) / 1e9)
    }

    var summary: String {
        var s = "\(framesOut) frames out of \(framesIn) in \(String(format: "%.2f", wallSeconds)) s "
            + "(\(String(format: "%.1f", fps)) fps)"
        if let p50 = latency.percentile(50), let p95 = latency.percentile(95) {
            s += ", added latency p50 \(String(format: "%.1f", p50)) ms, p95 \(String(format: "%.1f", p95)) ms"
        }
        s += ", passthrough \(passthrough), dropped \(dropped)"
        if missingFrames > 0 { s += ", missing in the source \(missingFrames)" }
        if encoderDropped > 0 { s += ", dropped at the encoder \(encoderDropped)" }
        if restamped > 0 { s += ", re-stamped \(restamped)" }
        if unsent > 0 { s += ", unsent \(unsent)" }
        if audioTrackChanges > 0 { s += ", audio track changes \(audioTrackChanges)" }
        if !hasAudio { s += ", no audio track" }
        return s
    }
}
