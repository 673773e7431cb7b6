import Foundation
import Metrics
import Restore

/// The stream's counters, through swift-metrics (exported as Prometheus text by
/// `MetricsServer`). Without a bootstrapped backend they cost nothing.
final class StreamMetrics: Sendable {
    let framesIn = Counter(label: "facerestored_frames_in_total")
    let framesOut = Counter(label: "facerestored_frames_out_total")
    let passthrough = Counter(label: "facerestored_passthrough_frames_total")
    let dropped = Counter(label: "facerestored_dropped_frames_total")
    let reconnects = Counter(label: "facerestored_reconnects_total")
    let sourceErrors = Counter(label: "facerestored_source_errors_total")
    let framesWithoutFace = Counter(label: "facerestored_frames_without_face_total")
    /// Mid-stream changes of the source's streams (faults an operator may want to alert on).
    let audioTrackAppeared = Counter(label: "facerestored_stream_changes_total", dimensions: [("change", "audio_appeared")])
    let audioTrackLost = Counter(label: "facerestored_stream_changes_total", dimensions: [("change", "audio_lost")])
    let resolutionChanges = Counter(label: "facerestored_stream_changes_total", dimensions: [("change", "resolution")])
    let frameRateChanges = Counter(label: "facerestored_stream_changes_total", dimensions: [("change", "frame_rate")])
    /// Source frames refused before restoration, by reason (empty, too_large, malformed).
    let rejectedEmpty = Counter(label: "facerestored_rejected_frames_total", dimensions: [("reason", "empty")])
    let rejectedTooLarge = Counter(label: "facerestored_rejected_frames_total", dimensions: [("reason", "too_large")])
    let rejectedMalformed = Counter(label: "facerestored_rejected_frames_total", dimensions: [("reason", "malformed")])
    /// Frames the source skipped: gaps in the decoded timestamps at the announced frame rate.
    let missingFrames = Counter(label: "facerestored_source_missing_frames_total")
    /// Warnings the source's elements posted (decoding errors in a damaged stream, for example).
    let sourceWarnings = Counter(label: "facerestored_source_warnings_total")
    /// Audio for the model: gaps filled with silence, overlaps trimmed, timeline restarts, bad samples.
    let audioGaps = Counter(label: "facerestored_audio_gaps_total")
    let audioOverlaps = Counter(label: "facerestored_audio_overlaps_total")
    let audioErrors = Counter(label: "facerestored_audio_errors_total")
    let faces = Gauge(label: "facerestored_faces")
    let streaming = Gauge(label: "facerestored_streaming")
    let latency = Metrics.Timer(label: "facerestored_added_latency_seconds")
    let restoreTime = Metrics.Timer(label: "facerestored_restore_seconds")
    /// Per-stage time per frame: tracking (detection included), crops, features, model, smoothing, paste-back.
    let stageTrack = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "track")])
    let stageCrop = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "crop")])
    let stageFeatures = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "features")])
    let stagePaste = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "paste")])
    let stageModel = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "model")])
    let stageSmoothing = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "smoothing")])

    /// Code-switch rate of the restorer (share of latent positions changing code per frame).
    let codeSwitchRate = Gauge(label: "facerestored_code_switch_rate")
    let facesRestored = Counter(label: "facerestored_faces_restored_total")

    /// `facerestored_model_info{setting,profile,variant} 1` for the weights in use; weights a
    /// reload replaced drop to 0. Guarded by `lock`.
    nonisolated(unsafe) private var modelInfo: Gauge?

    func modelLoaded(_ model: RestorationModel?, setting: String, precision: EnginePrecision) {
        let a = model?.architecture
        let gauge = Gauge(label: "facerestored_model_info",
                          dimensions: [("setting", setting), ("profile", a?.profile ?? "none"), ("variant", a?.variant ?? "none"),
                                       ("precision", model == nil ? "none" : precision.rawValue)])
        let old = lock.withLock { () -> Gauge? in
            defer { modelInfo = gauge }
            return modelInfo
        }
        old?.record(0)
        gauge.record(1)
    }

    /// Seconds since the last frame left (for /healthz); guarded by `lock`.
    private let lock = NSLock()
    nonisolated(unsafe) private var lastFrameOut: Date?

    func frameSent() {
        framesOut.increment()
        lock.withLock { lastFrameOut = Date() }
    }

    var secondsSinceLastFrame: Double? {
        lock.withLock { lastFrameOut.map { Date().timeIntervalSince($0) } }
    }
}
