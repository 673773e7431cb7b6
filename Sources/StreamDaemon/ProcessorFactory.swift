import Logging
import Restore

/// Builds the restoration slot's processor from the `restore:` settings.
enum ProcessorFactory {
    /// dlib's detector takes ~0.25 s to build: a stream makes one and reuses it across sessions.
    static func detector() throws -> FaceDetector {
        do {
            return try FaceDetector()
        } catch {
            throw CLIError("the face detector could not be created: \(error)")
        }
    }

    static func frontEnd(_ settings: RestoreSettings, logger: Logger, detector: FaceDetector? = nil) throws -> FaceFrontEnd {
        var tracking = FaceTracker.Settings()
        tracking.maxFaces = settings.maxFaces
        tracking.detectEvery = settings.detectEvery
        let tracker = FaceTracker(settings: tracking, detector: try detector ?? Self.detector())
        return try FaceFrontEnd(tracker: tracker, logger: logger)
    }

    /// One line for the end-of-run summary.
    static func summary(_ f: FaceFrontEnd) -> String {
        let c = f.counters, t = f.trackerCounters
        return "faces: \(c.facesProcessed) face-frames in \(c.framesProcessed) frames, \(c.framesWithoutFace) frames without a face, "
            + "\(t.tracksStarted) tracks, \(t.detectionsRun) detections"
            + (t.detectorErrors > 0 ? ", \(t.detectorErrors) detector errors" : "")
            + (c.audioErrors > 0 ? ", \(c.audioErrors) unusable audio chunks" : "")
    }
}
