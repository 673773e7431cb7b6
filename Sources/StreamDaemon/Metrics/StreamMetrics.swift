import Foundation
import Metrics

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
    let faces = Gauge(label: "facerestored_faces")
    let streaming = Gauge(label: "facerestored_streaming")
    let latency = Metrics.Timer(label: "facerestored_added_latency_seconds")
    let restoreTime = Metrics.Timer(label: "facerestored_restore_seconds")
    /// Per-stage time per frame: tracking (detection included), crops, features, paste-back.
    let stageTrack = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "track")])
    let stageCrop = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "crop")])
    let stageFeatures = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "features")])
    let stagePaste = Metrics.Timer(label: "facerestored_stage_seconds", dimensions: [("stage", "paste")])

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
