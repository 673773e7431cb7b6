import Media

/// The frames around the one being restored: `frames[centre]` is frame t, the others t−2 … t+2.
/// At the start and end of a stream the missing neighbours repeat the nearest real frame.
public struct FrameWindow: Sendable {
    public let frames: [VideoFrame]
    public let centre: Int
    public var centreFrame: VideoFrame { frames[centre] }

    public init(frames: [VideoFrame], centre: Int) {
        precondition(frames.indices.contains(centre), "window centre outside the window")
        self.frames = frames
        self.centre = centre
    }
}

/// The restoration slot: turns the window around frame t into the output frame t.
///
/// One processor serves one stream and is called from that stream's restoration thread only.
public protocol FrameProcessor: AnyObject {
    /// Frames of lookahead the processor needs (the model's Δ).
    var lookahead: Int { get }
    /// Every frame, in arrival order, before it enters the window (face tracking runs here).
    func frameArrived(_ frame: VideoFrame)
    /// Restores the window's centre frame.
    func process(_ window: FrameWindow) -> VideoFrame
    /// The cheap answer when restoration is behind: by default the untouched frame.
    func passthrough(_ window: FrameWindow) -> VideoFrame
    /// 16 kHz mono audio for the model, in PTS order.
    func consumeModelAudio(_ chunk: AudioChunk)
    /// No more model audio will come (end of stream): flush what is buffered.
    func modelAudioEnded()
    /// The source has no audio track (told before the first frame): a processor with a model
    /// trained without audio switches to it.
    func sourceHasNoAudio()
    /// Hands out the per-frame work that needs only the frames before (face tracking), for the
    /// session to run on a thread of its own, ahead of restoration. Afterwards frames arrive
    /// through `frameArrived(analysed:)` and never through `frameArrived(_:)`. nil: not split.
    func detachAnalysis() -> (any FrameAnalysis)?
    /// A frame and what the detached analysis found in it, in arrival order.
    func frameArrived(analysed: AnalysedFrame)
    /// Where to take the arrays of the frames it writes (the session recycles sent frames there).
    func takeFrameStorage(from pool: FrameStoragePool)
}

/// A frame with the faces tracked in it, and the tracker's cost and counters after it.
public struct AnalysedFrame: Sendable {
    public let frame: VideoFrame
    public let tracks: [FaceTrack]
    public let nanos: UInt64
    public let trackerCounters: FaceTracker.Counters
    /// The faces' crops and FHOG, when the stage makes them (see `FacePreparer`), and their cost.
    public let prepared: [PreparedFace]
    public let prepareNanos: UInt64

    public init(frame: VideoFrame, tracks: [FaceTrack], nanos: UInt64, trackerCounters: FaceTracker.Counters,
                prepared: [PreparedFace] = [], prepareNanos: UInt64 = 0) {
        self.frame = frame
        self.tracks = tracks
        self.nanos = nanos
        self.trackerCounters = trackerCounters
        self.prepared = prepared
        self.prepareNanos = prepareNanos
    }
}

/// The detached per-frame analysis. One thread at a time calls it, in frame order: the
/// restoration thread for the first frame, then the analysis thread (a thread start orders them).
public protocol FrameAnalysis: AnyObject, Sendable {
    /// With `deferring`, work the frame's hand-over need not wait for (a due detection round)
    /// is left for `finishDeferred()`, which the caller runs after handing the frame over.
    func analyse(_ frame: VideoFrame, deferring: Bool) -> AnalysedFrame
    func finishDeferred()
}

extension FrameAnalysis {
    public func finishDeferred() {}
}

extension FrameProcessor {
    public func frameArrived(_ frame: VideoFrame) {}
    public func passthrough(_ window: FrameWindow) -> VideoFrame { window.centreFrame }
    public func consumeModelAudio(_ chunk: AudioChunk) {}
    public func modelAudioEnded() {}
    public func sourceHasNoAudio() {}
    public func detachAnalysis() -> (any FrameAnalysis)? { nil }
    public func frameArrived(analysed: AnalysedFrame) { frameArrived(analysed.frame) }
    public func takeFrameStorage(from pool: FrameStoragePool) {}
}

/// Returns every frame unchanged, with the real latency structure of the model (Δ = 2).
public final class IdentityProcessor: FrameProcessor {
    public let lookahead: Int
    public init(lookahead: Int = 2) { self.lookahead = lookahead }
    public func process(_ window: FrameWindow) -> VideoFrame { window.centreFrame }
}
