import Foundation
import Media
import Testing
@testable import GstBridge

/// The shipped demo clip (GRID corpus, CC BY 4.0): 75 frames of 360×288 at 25 fps, 3 s of audio.
let demoClip = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("data/grid_bbaf2n.mpg").path

@Suite("Input pipeline")
struct InputPipelineTests {
    @Test("a warning posted while the source starts (a stream with no decoder) is handed on, not dropped")
    func startupWarningsAreHandedOver() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mkv = try clipWithUndecodableTrack(in: dir)
        let input = try InputPipeline(source: SourceSpec(parsing: mkv.path), options: InputOptions(live: false))
        try input.start()
        var warnings: [String] = []
        let streams = try input.waitForStreams(timeout: 5) { warnings.append($0) }
        let fromWait = warnings.count
        // What the session's bus check sees next.
        let deadline = Date(timeIntervalSinceNow: 2)
        while Date() < deadline, case .warning(let w)? = input.nextEvent(timeout: 0.1) { warnings.append(w) }
        input.stop()
        #expect(streams.video)
        #expect(warnings.contains { $0.contains("No decoder available") }, "warnings: \(warnings) (\(fromWait) from waitForStreams)")
    }

    @Test("decodes every frame of the demo clip with increasing PTS and both audio streams")
    func decodesDemoClip() async throws {
        let input = try InputPipeline(source: SourceSpec(parsing: demoClip), options: InputOptions(live: false))
        try input.start()
        let streams = try input.waitForStreams(timeout: 5)
        #expect(streams.video && streams.audio)
        var frames: [VideoFrame] = []
        for await frame in input.video { frames.append(frame) }
        var modelSamples = 0
        for await chunk in input.modelAudio {
            #expect(chunk.sampleRate == 16000 && chunk.channels == 1)
            modelSamples += chunk.frameCount
        }
        var originalSamples = 0
        var originalRate = 0
        for await chunk in input.audio {
            originalRate = chunk.sampleRate
            originalSamples += chunk.frameCount
        }
        input.stop()
        #expect(frames.count == 75)
        #expect(frames.first?.width == 360 && frames.first?.height == 288)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.pts < $1.pts })
        #expect(frames.enumerated().allSatisfy { $0.offset == $0.element.sequence })
        #expect(abs(Double(modelSamples) / 16000 - 3.0) < 0.05)
        #expect(originalRate == 44100)
        #expect(abs(Double(originalSamples) / 44100 - 3.0) < 0.05)
    }

    @Test("a missing file is reported by name before anything starts")
    func missingFile() {
        #expect(throws: GstError.sourceUnavailable(source: "/nonexistent/clip.mp4", reason: "no such file")) {
            _ = try InputPipeline(source: SourceSpec(parsing: "/nonexistent/clip.mp4"), options: InputOptions(live: false))
        }
    }

    @Test("a typo in a source description names the unknown element")
    func typoInDescription() {
        do {
            _ = try InputPipeline(source: SourceSpec(parsing: "videotestsrcc is-live=true"), options: InputOptions(live: true))
            Issue.record("expected an error")
        } catch {
            guard case .invalidDescription(_, let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(reason.contains("videotestsrcc"))
        }
    }

    @Test("a gst-launch source description ending in caps is decoded frame by frame")
    func launchDescriptionSource() throws {
        let input = try InputPipeline(
            source: SourceSpec(parsing: "videotestsrc num-buffers=10 ! video/x-raw,width=64,height=48,framerate=10/1"),
            options: InputOptions(live: false))
        try input.start()
        _ = try input.waitForStreams(timeout: 5)
        var count = 0
        while let _ = input.video.pop() { count += 1 }
        input.stop()
        #expect(count == 10)
    }

    /// With libav direct rendering on, GstVideoDecoder deep-copies every decoded frame into a
    /// new allocation (1.4 MB per 720p frame); the input turns it off in every video decoder,
    /// whether decodebin plugged it or the source description names it.
    @Test("H.264 decoders run without direct rendering, plugged by decodebin or named in a description",
          arguments: [false, true])
    func decodersWithoutDirectRendering(named: Bool) async throws {
        let spec = named
            ? "videotestsrc num-buffers=75 ! video/x-raw,width=320,height=240 ! x264enc ! h264parse ! avdec_h264"
            : demoClip.replacingOccurrences(of: ".mpg", with: ".standard.mkv")
        let input = try InputPipeline(source: SourceSpec(parsing: spec), options: InputOptions(live: false))
        try input.start()
        var frames = 0
        for await _ in input.video { frames += 1 }
        let counts = input.directRendering
        input.stop()
        #expect(frames == 75)
        #expect(counts.on == 0 && counts.off == 1)
    }

    /// rtspsrc alone tries UDP first and waits 5 s for a packet before it falls back to TCP; after
    /// a camera restart that made one reconnect in 20–50 take 5.2 s (ReconnectTests).
    @Test("an rtsp:// source is read over TCP; rtspu:// is left to rtspsrc (UDP)", arguments: ["rtsp", "rtspu"])
    func rtspTransport(scheme: String) throws {
        // Port 9 refuses the connection at once: the source element exists, the start fails.
        let input = try InputPipeline(source: SourceSpec(parsing: "\(scheme)://127.0.0.1:9/none"), options: InputOptions(live: true))
        defer { input.stop() }
        #expect(throws: GstError.self) { try input.start(timeout: 10) }
        guard let rtspsrc = input.pipeline.element(madeBy: "rtspsrc") else { Issue.record("no rtspsrc was made"); return }
        let protocols = rtspsrc.property("protocols") ?? "?"
        if scheme == "rtsp" { #expect(protocols == "GST_RTSP_LOWER_TRANS_TCP") } else { #expect(protocols.contains("UDP"), "\(protocols)") }
    }
}
