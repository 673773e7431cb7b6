import GstBridge
import Restore
import Testing
@testable import StreamDaemon

@Suite("Config loader")
struct ConfigLoaderTests {
    @Test("a full config is read into typed settings")
    func full() throws {
        let c = try ConfigLoader.parse("""
            source:
              uri: rtsp://cam/s
            outputs:
              - rtsp: {port: 8555, path: face}
              - record: {directory: /var/lib/x, segment_seconds: 30}
              - file: /tmp/o.mkv
              - sink: autovideosink
            encoder: {video_codec: h264, audio_codec: opus, bitrate_kbps: 2500, keyframe_seconds: 1}
            model: quality
            restore: {max_faces: 2, detect_every: 3, full_scan_every: 12, smoothing: paper, gamma: 0.5, audio: false,
                      precision: float32}
            latency_budget_ms: 120
            metrics: {listen: "127.0.0.1:9999"}
            """)
        #expect(c.source.kind == .uri("rtsp://cam/s"))
        #expect(c.isLive)
        #expect(c.outputs == [.rtsp(address: "127.0.0.1", port: 8555, path: "/face"),
                              .segments(directory: "/var/lib/x", seconds: 30, container: .mkv),
                              .file(path: "/tmp/o.mkv"), .sink(video: "autovideosink", audio: nil)])
        #expect(c.encoder.audioCodec == .opus && c.encoder.videoBitrateKbps == 2500)
        #expect(c.restore == RestoreSettings(model: "quality", maxFaces: 2, detectEvery: 3, fullScanEvery: 12, smoothing: .paper, gamma: 0.5, useAudio: false,
                                            precision: .float32))
        #expect(c.restore.restoration.precision == .float32)
        #expect(c.latencyBudgetMs == 120 && c.metricsListen == "127.0.0.1:9999")
    }

    @Test("every problem is reported with its line and column")
    func errors() {
        do {
            _ = try ConfigLoader.parse("""
                source: a.mp4
                outputz: []
                restore:
                  gamma: 2
                  smoothing: fast
                  precision: half
                """, file: "c.yaml")
            Issue.record("expected errors")
        } catch let e as ConfigError {
            let text = e.description
            #expect(text.contains("c.yaml:2:1: error: unknown key 'outputz'"))
            #expect(text.contains("did you mean 'outputs'"))
            #expect(text.contains("c.yaml:4:10: error: 'gamma' must be between 0.0 and 1.0"))
            #expect(text.contains("c.yaml:5:14: error: 'smoothing' must be one of paper, causal, off"))
            #expect(text.contains("c.yaml:6:14: error: 'precision' must be one of auto, float32, bfloat16, got 'half'"))
            #expect(text.contains("missing 'outputs'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("defaults: metrics off unless configured and then on loopback, causal smoothing, 150 ms budget")
    func defaults() throws {
        let c = try ConfigLoader.parse("source: a.mp4\noutputs:\n  - file: b.mp4\n")
        #expect(c.metricsListen == nil)
        let m = try ConfigLoader.parse("source: a.mp4\noutputs:\n  - file: b.mp4\nmetrics: {}\n")
        #expect(m.metricsListen == "127.0.0.1:9464")
        #expect(c.restore.smoothing == .causal && c.latencyBudgetMs == 150)
        #expect(c.restore.precision == .auto && c.restore.restoration.precision == EnginePrecision.forThisCPU)
        #expect(!c.isLive)
    }
}
