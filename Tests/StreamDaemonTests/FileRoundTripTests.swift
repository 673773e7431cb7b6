import Foundation
import Media
import Testing

@Suite("File round trip through the restoration slot", .serialized)
struct FileRoundTripTests {
    @Test("lossless codec: every face cropped and pasted back, yet same frames, same PTS, identical pixels, same audio")
    func losslessRoundTrip() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", TestSupport.demoClip, "-o", out,
                                                         "--video-codec", "raw", "--audio-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        // The face front end really ran: the speaker is tracked in every frame.
        #expect(r.stderr.contains("faces: 75 face-frames in 75 frames"), "\(r.stderr)")
        let original = try TestSupport.decode(TestSupport.demoClip)
        let restored = try TestSupport.decode(out)
        #expect(original.frames.count == 75)
        #expect(restored.frames.count == original.frames.count)
        let t0 = original.frames.first!.pts, u0 = restored.frames.first!.pts
        let ptsIn = original.frames.map { ($0.pts - t0).nanoseconds / 1_000_000 }
        let ptsOut = restored.frames.map { ($0.pts - u0).nanoseconds / 1_000_000 }
        #expect(ptsIn == ptsOut)
        let identical = zip(original.frames, restored.frames).allSatisfy { $0.pixels == $1.pixels }
        #expect(identical)
        #expect(abs(original.audioSeconds - restored.audioSeconds) <= 0.04)
        #expect(restored.audioRate == original.audioRate)
    }

    @Test("H.264 + AAC in MP4: same frame count and PTS sequence, audio within one frame")
    func h264RoundTrip() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mp4").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", TestSupport.demoClip, "-o", out, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let original = try TestSupport.decode(TestSupport.demoClip)
        let restored = try TestSupport.decode(out)
        #expect(restored.frames.count == original.frames.count)
        let t0 = original.frames.first!.pts, u0 = restored.frames.first!.pts
        #expect(original.frames.map { ($0.pts - t0).nanoseconds / 1_000_000 }
                == restored.frames.map { ($0.pts - u0).nanoseconds / 1_000_000 })
        #expect(abs(original.audioSeconds - restored.audioSeconds) <= 0.04,
                "audio \(original.audioSeconds) s in, \(restored.audioSeconds) s out")
        // In sync: audio and video start together in the output as in the input (ffprobe's view).
        let probe = try TestSupport.run("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_type,start_time",
                                                             "-of", "csv=p=0", out])
        let starts = probe.stdout.split(separator: "\n").compactMap { line -> Double? in
            Double(line.split(separator: ",").last.map(String.init) ?? "")
        }
        #expect(starts.count == 2 && abs(starts[0] - starts[1]) < 0.001, "\(probe.stdout)")
        // Lossy, but the picture must be the same picture: mean absolute error well under 8/255.
        let a = original.frames[40].pixels, b = restored.frames[40].pixels
        let mae = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.count)
        #expect(mae < 8)
    }

    @Test("side-by-side output is twice as wide and keeps every frame")
    func sideBySide() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("sbs.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", TestSupport.demoClip, "-o", out, "--side-by-side",
                                                         "--video-codec", "raw", "--audio-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let restored = try TestSupport.decode(out)
        #expect(restored.frames.count == 75)
        #expect(restored.frames.first?.width == 720)
        let original = try TestSupport.decode(TestSupport.demoClip)
        // Left half = input, right half = restored (identity): both equal the input row.
        let f = restored.frames[10], o = original.frames[10]
        let row = 100
        let left = Array(f.pixels[(row * 720 * 3)..<(row * 720 * 3 + 360 * 3)])
        let right = Array(f.pixels[(row * 720 * 3 + 360 * 3)..<((row + 1) * 720 * 3)])
        let truth = Array(o.pixels[(row * 360 * 3)..<((row + 1) * 360 * 3)])
        #expect(left == truth && right == truth)
    }
}
