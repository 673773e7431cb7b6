import Media

/// A stream's face tracker, detached from its `FaceFrontEnd` so that tracking runs on a thread of
/// its own, one frame ahead of restoration: on 2 cores tracking a 720p frame (downscale,
/// correlation tracker, a detection every few frames) costs about a third of what restoring it
/// does, and on the restoration thread it pushed restored frames past their latency budget.
///
/// `@unchecked Sendable`: the tracker is used by one thread at a time, in frame order (see
/// `FrameAnalysis`); nothing else holds it after the hand-over.
public final class FaceTrackingStage: FrameAnalysis, @unchecked Sendable {
    private let tracker: FaceTracker
    /// Time spent on a deferred detection, counted with the next frame (the stage's cost per
    /// frame stays whole).
    private var deferredNanos: UInt64 = 0

    init(tracker: FaceTracker) { self.tracker = tracker }

    public func analyse(_ frame: VideoFrame, deferring: Bool) -> AnalysedFrame {
        let t0 = MonotonicClock.now()
        let tracks = tracker.update(frame, deferringDetection: deferring)
        let nanos = MonotonicClock.now() - t0 + deferredNanos
        deferredNanos = 0
        return AnalysedFrame(frame: frame, tracks: tracks, nanos: nanos, trackerCounters: tracker.counters)
    }

    public func finishDeferred() {
        let t0 = MonotonicClock.now()
        tracker.runDeferredDetection()
        deferredNanos += MonotonicClock.now() - t0
    }
}
