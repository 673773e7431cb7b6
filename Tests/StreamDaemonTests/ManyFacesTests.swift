import Foundation
import Testing

@Suite("Many faces at once")
struct ManyFacesTests {
    /// The demo clip tiled 5 × 4 (ffmpeg's xstack): 20 talking faces in a 1800×1152 frame. With
    /// `max_faces: 20` and the detector scanning the full width, every face is followed; the
    /// stream keeps every frame and ends cleanly.
    @Test("20 faces in one frame: all tracked, every frame out, exit 0")
    func twentyFaces() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiled = dir.appendingPathComponent("faces20.mkv").path
        let layout = (0..<4).flatMap { r in (0..<5).map { c in "\(c * 360)_\(r * 288)" } }.joined(separator: "|")
        let labels = (0..<20).map { "[v\($0)]" }.joined()
        let ffmpeg = try TestSupport.run("/usr/bin/ffmpeg", [
            "-v", "error", "-y", "-i", TestSupport.demoClip, "-t", "1",
            "-filter_complex", "[0:v]split=20\(labels);\(labels)xstack=inputs=20:layout=\(layout)[v]",
            "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac", tiled])
        try #require(ffmpeg.status == 0, "ffmpeg could not tile the clip: \(ffmpeg.stderr)")
        let out = dir.appendingPathComponent("out.mkv").path
        let config = dir.appendingPathComponent("many.yaml")
        try """
            source: \(tiled)
            model: none
            restore:
              max_faces: 20
              detection_width: 1800
            outputs:
              - file: \(out)
            """.write(to: config, atomically: true, encoding: .utf8)
        let r = try TestSupport.run(TestSupport.binary, ["run", "--config", config.path], timeout: 300)
        #expect(r.status == 0, "stderr: \(r.stderr.suffix(600))")
        #expect(r.stderr.contains("20 face(s) in view"))
        #expect(r.stderr.contains("20 tracks"))
        let decoded = try TestSupport.decode(out)
        #expect(decoded.frames.count == 25)
    }
}
