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
    let preparer: FacePreparer?
    /// Time spent on a deferred detection, counted with the next frame (the stage's cost per
    /// frame stays whole).
    private var deferredNanos: UInt64 = 0

    /// `preparer`: also make each face's crop and FHOG for the model (nil: tracking only).
    init(tracker: FaceTracker, preparer: FacePreparer?) {
        self.tracker = tracker
        self.preparer = preparer
    }

    public func analyse(_ frame: VideoFrame, deferring: Bool) -> AnalysedFrame {
        let t0 = MonotonicClock.now()
        let tracks = tracker.update(frame, deferringDetection: deferring)
        let t1 = MonotonicClock.now()
        let prepared = preparer?.prepare(frame, tracks: tracks) ?? []
        let nanos = t1 - t0 + deferredNanos
        deferredNanos = 0
        return AnalysedFrame(frame: frame, tracks: tracks, nanos: nanos, trackerCounters: tracker.counters,
                             prepared: prepared, prepareNanos: MonotonicClock.now() - t1)
    }

    public func finishDeferred() {
        let t0 = MonotonicClock.now()
        tracker.runDeferredDetection()
        deferredNanos += MonotonicClock.now() - t0
    }
}
