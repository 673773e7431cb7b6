import Foundation
import Testing

/// A 1-s Matroska clip with a WebVTT subtitle track beside its H.264 video, written into `dir`.
/// GStreamer 1.22 has no decoder for the subtitles, so uridecodebin posts "No decoder available"
/// as a warning while prerolling, before any frame: the tests' way to get a start-up warning.
func clipWithUndecodableTrack(in dir: URL) throws -> URL {
    let vtt = dir.appendingPathComponent("s.vtt"), mkv = dir.appendingPathComponent("w.mkv")
    try "WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n".write(to: vtt, atomically: true, encoding: .utf8)
    let ffmpeg = Process()
    ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    ffmpeg.arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-i", vtt.path,
                        "-t", "1", "-map", "0", "-map", "1", "-c:v", "libx264", "-c:s", "webvtt", mkv.path]
    try ffmpeg.run()
    ffmpeg.waitUntilExit()
    try #require(ffmpeg.terminationStatus == 0, "ffmpeg could not write the test file")
    return mkv
}
