import Logging
import Restore

/// Builds the restoration slot's processor from the `restore:` settings.
enum ProcessorFactory {
    static func frontEnd(_ settings: RestoreSettings, logger: Logger) throws -> FaceFrontEnd {
        var tracking = FaceTracker.Settings()
        tracking.maxFaces = settings.maxFaces
        tracking.detectEvery = settings.detectEvery
        let detector: FaceDetector
        do {
            detector = try FaceDetector()
        } catch {
            throw CLIError("the face detector could not be created: \(error)")
        }
        return try FaceFrontEnd(tracker: FaceTracker(settings: tracking, detector: detector), logger: logger)
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
