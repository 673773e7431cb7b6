import Foundation
import Testing
@testable import GstBridge

@Suite("Source specs and credential redaction")
struct SourceSpecTests {
    @Test("URIs, paths and gst-launch descriptions are told apart")
    func parsing() {
        #expect(SourceSpec(parsing: "rtsp://cam.local/stream").kind == .uri("rtsp://cam.local/stream"))
        #expect(SourceSpec(parsing: "/videos/a.mp4").kind == .uri("file:///videos/a.mp4"))
        #expect(SourceSpec(parsing: "v4l2src device=/dev/video0").kind == .launch("v4l2src device=/dev/video0"))
        #expect(SourceSpec(parsing: "/videos/a.mp4").localFile == "/videos/a.mp4")
        #expect(SourceSpec(parsing: "filesrc location=/x/y.mkv ! matroskademux").localFile == "/x/y.mkv")
    }

    @Test("live sources are recognised")
    func live() {
        #expect(SourceSpec(parsing: "rtsp://h/s").looksLive)
        #expect(SourceSpec(parsing: "v4l2src").looksLive)
        #expect(SourceSpec(parsing: "videotestsrc is-live=true").looksLive)
        #expect(!SourceSpec(parsing: "/a.mp4").looksLive)
    }

    @Test("passwords never survive redaction")
    func redaction() {
        #expect(CredentialRedactor.redact("rtsp://admin:hunter2@10.0.0.1/s") == "rtsp://***@10.0.0.1/s")
        #expect(!CredentialRedactor.redact("rtspsrc location=rtsp://u:p4ss@h/s user-pw=p4ss").contains("p4ss"))
        #expect(SourceSpec(parsing: "rtsp://u:secret@h:554/x").description == "rtsp://***@h:554/x")
    }

    @Test("output descriptions: one encoder feeding every encoded output")
    func outputDescription() {
        let d = OutputDescription.make(
            outputs: [.file(path: "/tmp/a.mp4"), .segments(directory: "/tmp/rec", seconds: 10, container: .mkv),
                      .rtsp(address: "127.0.0.1", port: 8554, path: "/x")],
            video: .init(width: 640, height: 480, frameRate: .init(30, 1)), audio: (48000, 2),
            settings: EncoderSettings(live: true))
        #expect(d.components(separatedBy: "x264enc").count == 2)
        #expect(d.contains("tune=zerolatency"))
        #expect(d.contains("splitmuxsink") && d.contains("max-size-time=10000000000"))
        #expect(d.contains("mp4mux fragment-duration=1000"))
        #expect(d.contains("appsink name=fr_rtsp_v") && d.contains("appsink name=fr_rtsp_a"))
    }

    @Test("recording segments continue the numbering of a directory instead of overwriting it")
    func segmentNumbering() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(OutputDescription.nextSegmentIndex(in: dir.path) == 0)
        for name in ["segment-00000.mkv", "segment-00007.mkv", "notes.txt"] {
            FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data())
        }
        #expect(OutputDescription.nextSegmentIndex(in: dir.path) == 8)
        let d = OutputDescription.make(outputs: [.segments(directory: dir.path, seconds: 5, container: .mkv)],
                                       video: .init(width: 64, height: 48, frameRate: .init(30, 1)), audio: nil,
                                       settings: EncoderSettings())
        #expect(d.contains("start-index=8"))
    }
}
