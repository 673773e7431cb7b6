import GstBridge
import Restore

/// One stream's configuration, as read from its YAML file.
struct StreamConfig: Sendable, Equatable {
    var source: SourceSpec
    /// nil: decided from the source (cameras and network streams are live, files are not).
    var live: Bool?
    var outputs: [OutputSpec]
    var encoder: EncoderSettings
    var restore: RestoreSettings
    var latencyBudgetMs: Double
    /// HOST:PORT for /metrics and /healthz; nil when the config has no `metrics` section (several
    /// daemons on one host would otherwise fight over one default port).
    var metricsListen: String?
    /// Basic authentication required from RTSP clients (`rtsp: {user, password}`).
    var rtspCredentials: RTSPCredentials?

    var isLive: Bool { live ?? source.looksLive }
}

/// The `restore:` section. The face front end and model read it; the streaming core only
/// validates it so that a typo is caught on day one.
struct RestoreSettings: Sendable, Equatable {
    typealias Smoothing = SmoothingMode
    /// `realtime`, `quality` (shipped weights), `none` (no restoration) or a .safetensors path.
    var model: String = "realtime"
    var maxFaces: Int = 4
    /// Width of the copy the detector scans (dlib finds faces of ~80 px and up in it): raise it
    /// for small faces in a large frame, at the cost of detection time.
    var detectionWidth: Int = 640
    var detectEvery: Int = 5
    /// Frames between whole-frame detections while faces are tracked (see FaceTracker.Settings).
    var fullScanEvery: Int = 1
    var smoothing: Smoothing = .causal
    var gamma: Double = 0.7
    /// Flicker control: logit margin before a latent position changes code.
    var codeHysteresis: Double = 0.5
    var useAudio: Bool = true
    /// The convolutions' arithmetic; `auto` is bfloat16 on CPUs with AVX512_BF16 or AMX.
    var precision: PrecisionChoice = .auto

    var restoration: RestorationSettings {
        RestorationSettings(smoothing: smoothing, gamma: Float(gamma), hysteresis: Float(codeHysteresis), useAudio: useAudio,
                            precision: precision.resolved)
    }
}
