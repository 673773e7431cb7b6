import Foundation
import Media

/// Builds the gst-launch description of the output pipeline: one video appsrc and one optional
/// audio appsrc, encoded once, fanned out by tees to every output.
enum OutputDescription {
    static func make(outputs: [OutputSpec], video: VideoFormat, audio: (rate: Int, channels: Int)?,
                     settings: EncoderSettings) -> String {
        let live = settings.live
        var parts: [String] = []
        let fps = video.frameRate.isVariable ? 30.0 : video.frameRate.fps
        // File mode blocks the restoration thread when the encoder is behind (nothing is lost);
        // live mode never blocks: a frame that finds the queue full is dropped (leaky-type
        // upstream drops the new buffer), and the push says so (OutputPipeline.send).
        let videoQueueBytes = video.width * video.height * 3 * (live ? 3 : 8)
        // Live: raw frames are 2.7 MB at 720p, a default queue (10 MB) would hold several, and how
        // many depends on how busy the encoder's core is, so memory and latency would wander with
        // the load. Two frames decouple the threads; the leaky appsrc above is the one buffer.
        // Files keep the default queues: their appsrc blocks, and the slack lets all sinks
        // preroll when the first audio comes a few frames after the video (less slack deadlocked
        // `bench churn`, which pushes 20 frames before any audio).
        let rawQueue = live ? "queue max-size-buffers=2 max-size-bytes=0 max-size-time=0" : "queue"
        parts.append("""
            appsrc name=fr_vsrc format=time is-live=\(live) block=\(!live) max-bytes=\(videoQueueBytes) \
            \(live ? "leaky-type=upstream " : "")\
            caps="\(AppSource.rgbCaps(width: video.width, height: video.height, frameRate: video.frameRate))" ! \
            \(rawQueue) ! tee name=fr_vtee allow-not-linked=true
            """)
        if let audio {
            // Audio is never blocked (unbounded appsrc queue): the demuxer upstream is already
            // throttled by the video path, which bounds how far audio can run ahead.
            parts.append("""
                appsrc name=fr_asrc format=time is-live=\(live) block=false max-bytes=0 \
                caps="\(AppSource.audioCaps(sampleRate: audio.rate, channels: audio.channels))" ! \
                queue ! tee name=fr_atee allow-not-linked=true
                """)
        }
        let encoded = outputs.contains { $0.needsEncoding }
        if encoded {
            parts.append("fr_vtee. ! \(rawQueue) ! " + videoEncoder(settings, fps: fps) + " ! tee name=fr_venc allow-not-linked=true")
            if audio != nil {
                parts.append("fr_atee. ! queue ! " + audioEncoder(settings) + " ! tee name=fr_aenc allow-not-linked=true")
            }
        }
        for (index, output) in outputs.enumerated() {
            let mux = "fr_mux\(index)"
            switch output {
            case .file(let path):
                let container = OutputSpec.Container(pathExtension: URL(fileURLWithPath: path).pathExtension) ?? .mkv
                parts.append("\(muxer(container, settings: settings)) name=\(mux) ! filesink location=\(quote(path))")
                parts.append("fr_venc. ! queue ! \(mux).")
                if audio != nil { parts.append("fr_aenc. ! queue ! \(mux).") }
            case .segments(let directory, let seconds, let container):
                let ext = container == .mkv ? "mkv" : container.rawValue
                let location = quote("\(directory)/segment-%05d.\(ext)")
                let muxFactory = container == .mkv ? "matroskamux" : "mp4mux"
                // A restarted stream (reconnect, reload, service restart) continues the numbering:
                // splitmuxsink would otherwise start again at 0 and overwrite earlier recordings.
                let next = nextSegmentIndex(in: directory)
                parts.append("""
                    splitmuxsink name=\(mux) location=\(location) max-size-time=\(UInt64(seconds) * 1_000_000_000) \
                    muxer-factory=\(muxFactory) send-keyframe-requests=true start-index=\(next)
                    """)
                parts.append("fr_venc. ! queue ! \(mux).video")
                if audio != nil { parts.append("fr_aenc. ! queue ! \(mux).audio_%u") }
            case .rtsp:
                // Encoded buffers are relayed into the RTSP server's own media pipelines.
                parts.append("fr_venc. ! queue leaky=downstream max-size-time=2000000000 ! appsink name=fr_rtsp_v sync=false async=false")
                if audio != nil {
                    parts.append("fr_aenc. ! queue leaky=downstream max-size-time=2000000000 ! appsink name=fr_rtsp_a sync=false async=false")
                }
            case .sink(let videoSink, let audioSink):
                parts.append("fr_vtee. ! \(rawQueue) ! videoconvert ! \(videoSink)")
                if let audioSink, audio != nil {
                    parts.append("fr_atee. ! queue ! audioconvert ! audioresample ! \(audioSink)")
                }
            }
        }
        return parts.joined(separator: "\n")
    }

    /// One past the highest `segment-NNNNN.*` index already in `directory` (0 when none).
    static func nextSegmentIndex(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let indices = names.compactMap { name -> Int? in
            guard name.hasPrefix("segment-") else { return nil }
            return Int(name.dropFirst("segment-".count).prefix { $0.isNumber })
        }
        return (indices.max() ?? -1) + 1
    }

    static func videoEncoder(_ s: EncoderSettings, fps: Double) -> String {
        switch s.videoCodec {
        case .raw:
            return "identity"
        case .h264:
            let keyint = max(1, Int((fps * s.keyframeIntervalSeconds).rounded()))
            var x264 = "x264enc key-int-max=\(keyint) bframes=0"
            if s.live {
                x264 += " tune=zerolatency speed-preset=ultrafast bitrate=\(s.videoBitrateKbps ?? 4000)"
            } else if let kbps = s.videoBitrateKbps {
                x264 += " speed-preset=veryfast bitrate=\(kbps)"
            } else {
                x264 += " speed-preset=veryfast pass=qual quantizer=20"
            }
            // x264 rejects 4:4:4 in common profiles: feed it I420.
            return "videoconvert ! video/x-raw,format=I420 ! \(x264) ! h264parse"
        }
    }

    static func audioEncoder(_ s: EncoderSettings) -> String {
        switch s.audioCodec {
        case .aac: return "audioconvert ! audioresample ! avenc_aac ! aacparse"
        case .opus: return "audioconvert ! audioresample ! audio/x-raw,rate=48000 ! opusenc ! opusparse"
        case .raw: return "audioconvert"
        }
    }

    static func muxer(_ container: OutputSpec.Container, settings: EncoderSettings) -> String {
        switch container {
        // Fragmented MP4: a file cut short by a crash still plays up to the last fragment.
        case .mp4: return "mp4mux fragment-duration=1000"
        case .mov: return "qtmux fragment-duration=1000"
        case .mkv: return "matroskamux"
        }
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
