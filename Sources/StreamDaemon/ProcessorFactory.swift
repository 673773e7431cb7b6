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

    /// `model` nil: the crops go back unchanged (`model: none`).
    static func frontEnd(_ settings: RestoreSettings, model: RestorationModel? = nil, modelWithoutAudio: RestorationModel? = nil,
                         logger: Logger, detector: FaceDetector? = nil) throws -> FaceFrontEnd {
        var tracking = FaceTracker.Settings()
        tracking.maxFaces = settings.maxFaces
        tracking.detectionWidth = settings.detectionWidth
        tracking.detectEvery = settings.detectEvery
        tracking.fullScanEvery = settings.fullScanEvery
        let tracker = FaceTracker(settings: tracking, detector: try detector ?? Self.detector())
        do {
            return try FaceFrontEnd(tracker: tracker, model: model, modelWithoutAudio: modelWithoutAudio,
                                    restoration: settings.restoration, logger: logger)
        } catch {
            throw CLIError("the restorer could not be set up: \(error)")
        }
    }

    /// One line naming the weights in use (and the convolutions' arithmetic, when given), for the log.
    static func describe(_ model: RestorationModel?, precision: EnginePrecision? = nil) -> String {
        guard let model else { return "model: none (faces are tracked and pasted back unchanged)" }
        let a = model.architecture
        return "model: \(a.profile)/\(a.variant), \(a.codes) codes, MFCC context \(a.contextSize)"
            + (a.useAudio ? "" : ", no audio") + (precision.map { ", convolutions in \($0.rawValue)" } ?? "")
    }

    /// The model audio's repairs, when there were any: a gap filled with silence, an overlap
    /// (audio running ahead of its timestamps: drift) trimmed, a jump too long to fill.
    private static func audioSummary(_ a: MFCCStreamStatistics) -> String {
        var parts: [String] = []
        if a.gaps > 0 { parts.append("\(a.gaps) gaps filled with \(a.gapSamples * 1000 / 16000) ms of silence") }
        if a.overlaps > 0 { parts.append("\(a.overlaps) overlaps trimmed (\(a.droppedSamples * 1000 / 16000) ms)") }
        if a.restarts > 0 { parts.append("\(a.restarts) timeline restarts") }
        return parts.isEmpty ? "" : "; model audio: " + parts.joined(separator: ", ")
    }

    /// One line for the end-of-run summary.
    static func summary(_ f: FaceFrontEnd) -> String {
        let c = f.counters, t = f.trackerCounters
        return "faces: \(c.facesProcessed) face-frames in \(c.framesProcessed) frames, \(c.framesWithoutFace) frames without a face, "
            + "\(t.tracksStarted) tracks, \(t.detectionsRun) detections"
            + (t.detectorErrors > 0 ? ", \(t.detectorErrors) detector errors" : "")
            + (c.audioErrors > 0 ? ", \(c.audioErrors) unusable audio chunks" : "")
            + audioSummary(f.audioStatistics)
            + (f.restoringWithoutAudio ? "; no-audio variant" : "")
            + (f.restorationCounters.map { String(format: "; restored %d face-frames, code-switch rate %.3f", $0.facesRestored, $0.codeSwitchRate) } ?? "")
    }
}
