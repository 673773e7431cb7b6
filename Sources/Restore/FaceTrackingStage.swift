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
    /// With a model: crops and FHOG are made here too (see `VisualInput`), by an extractor of
    /// this stage's own.
    private let visual: (crop: FaceCrop, fhog: FHOGExtractor)?

    init(tracker: FaceTracker, visual: (crop: FaceCrop, fhog: FHOGExtractor)? = nil) {
        self.tracker = tracker
        self.visual = visual
    }

    public func analyse(_ frame: VideoFrame) -> AnalysedFrame {
        let t0 = MonotonicClock.now()
        let tracks = tracker.update(frame)
        let t1 = MonotonicClock.now()
        var visuals: [VisualInput] = []
        if let visual {
            for track in tracks {
                let region = visual.crop.region(for: track.box)
                let crop = visual.crop.sample(frame, region: region)
                // A failure is left to the restoration thread, which computes, counts and logs it.
                guard let fhog = try? visual.fhog.extract(crop: crop) else { continue }
                visuals.append(VisualInput(trackID: track.id, region: region, crop: crop, fhog: fhog))
            }
        }
        return AnalysedFrame(frame: frame, tracks: tracks, nanos: t1 - t0, trackerCounters: tracker.counters,
                             visuals: visuals, visualNanos: MonotonicClock.now() - t1)
    }
}
