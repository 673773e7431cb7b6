import Foundation

/// Where restored video goes. One output pipeline encodes once and fans out to all of them.
public enum OutputSpec: Sendable, Equatable {
    /// A single file; the container follows the extension (.mp4, .mkv, .mov).
    case file(path: String)
    /// Crash-safe recording: a new Matroska (or MP4) file every `seconds`, so that a kill -9
    /// loses at most the segment being written.
    case segments(directory: String, seconds: Int, container: Container)
    /// An RTSP server on `address:port` serving `path` (e.g. rtsp://127.0.0.1:8554/face).
    case rtsp(address: String, port: Int, path: String)
    /// Any gst-launch sink description for raw video (`autovideosink`, `fakesink`), and
    /// optionally one for raw audio.
    case sink(video: String, audio: String?)

    public enum Container: String, Sendable, Equatable {
        case mp4, mkv, mov
        /// From a file extension; nil for anything else.
        public init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "mp4", "m4v": self = .mp4
            case "mkv", "webm": self = .mkv
            case "mov": self = .mov
            default: return nil
            }
        }
    }

    var needsEncoding: Bool {
        if case .sink = self { return false }
        return true
    }

    public var label: String {
        switch self {
        case .file(let p): return p
        case .segments(let d, _, _): return "\(d)/"
        case .rtsp(let a, let p, let path): return "rtsp://\(a):\(p)\(path)"
        case .sink(let v, _): return v
        }
    }
}

public enum VideoCodec: String, Sendable, CaseIterable {
    /// H.264 via x264.
    case h264
    /// Uncompressed RGB in Matroska: lossless, for tests and for exact comparisons.
    case raw
}

public enum AudioCodec: String, Sendable, CaseIterable {
    case aac, opus
    /// Uncompressed float in Matroska.
    case raw
}

/// Encoder choices shared by every encoded output.
public struct EncoderSettings: Sendable, Equatable {
    public var videoCodec: VideoCodec
    public var audioCodec: AudioCodec
    /// Constant bit rate for live outputs; files use constant quality unless this is set.
    public var videoBitrateKbps: Int?
    /// Keyframe interval: bounds how long a new RTSP client waits for a picture.
    public var keyframeIntervalSeconds: Double
    /// Live: low-latency encoder settings, non-blocking appsrc, PTS rebased onto the output clock.
    public var live: Bool

    public init(videoCodec: VideoCodec = .h264, audioCodec: AudioCodec = .aac, videoBitrateKbps: Int? = nil,
                keyframeIntervalSeconds: Double = 2, live: Bool = false) {
        self.videoCodec = videoCodec
        self.audioCodec = audioCodec
        self.videoBitrateKbps = videoBitrateKbps
        self.keyframeIntervalSeconds = keyframeIntervalSeconds
        self.live = live
    }
}
