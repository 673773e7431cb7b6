/// Counts the frames a source skipped, from the gaps in its timestamps at a known frame rate.
///
/// A damaged file loses frames in the demuxer or the decoder (one bit-flipped Matroska file
/// here lost 29 of its 75 in matroskademux), and a network source loses them in transit;
/// GStreamer reports none of these as an error. The decoded timestamps are
/// the only trace, so the daemon compares each one with the previous: a step of n frame
/// durations (rounded, above 1.5) means n − 1 frames are missing.
public struct FrameGapCounter: Sendable, Equatable {
    public private(set) var missing = 0
    /// Bursts of missing frames (one per gap), to tell one long loss from many short ones.
    public private(set) var gaps = 0
    private var last: UInt64?

    public init() {}

    /// Notes one frame's timestamp. `frameDuration` is nil when the rate is unknown or variable
    /// (caps `framerate=0/1`): then only the timestamp is remembered.
    public mutating func observe(pts: UInt64?, frameDuration: UInt64?) {
        guard let pts else { return }
        defer { last = pts }
        guard let last, let d = frameDuration, d > 0, pts > last else { return }
        let step = Double(pts - last) / Double(d)
        guard step > 1.5 else { return }
        // A jump of an hour or more is a new timeline (a source restarting its clock), not a loss.
        guard pts - last < 3_600_000_000_000 else { return }
        missing += Int(step.rounded()) - 1
        gaps += 1
    }

    /// Forgets the previous timestamp: a new segment or a flush starts a new timeline.
    public mutating func restart() { last = nil }
}
