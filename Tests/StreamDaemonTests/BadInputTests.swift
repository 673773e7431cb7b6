import Foundation
import Testing

@Suite("Bad input gives a clear error and loses nothing", .serialized)
struct BadInputTests {
    @Test("missing input file: non-zero exit naming the file")
    func missingFile() throws {
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", "/nonexistent/in.mp4", "-o", "/tmp/never-written.mp4"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent/in.mp4"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written.mp4"))
    }

    @Test("unreachable RTSP URL: non-zero exit naming the source, with credentials redacted")
    func unreachableRTSP() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", "rtsp://admin:s3cret@127.0.0.1:9/none",
                                                         "-o", dir.appendingPathComponent("o.mp4").path], timeout: 60)
        #expect(r.status != 0)
        #expect(r.stderr.contains("rtsp://***@127.0.0.1:9/none"), "\(r.stderr)")
        #expect(!r.stderr.contains("s3cret"))
    }

    @Test("typo in a source description: the unknown element is named")
    func descriptionTypo() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", "videotestsrcc num-buffers=10 ! fakesink",
                                                         "-o", dir.appendingPathComponent("o.mp4").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("videotestsrcc"))
    }

    @Test("an existing output is never overwritten without --force")
    func existingOutputKept() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("keep.mp4")
        try Data("precious".utf8).write(to: out)
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", TestSupport.demoClip, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--force"))
        #expect(try Data(contentsOf: out) == Data("precious".utf8))
    }

    @Test("a corrupt input still yields a finalised, playable output of what was decoded")
    func corruptMidStream() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The clip's first 60 % followed by garbage: the decoder errors or ends early.
        var data = try Data(contentsOf: URL(fileURLWithPath: TestSupport.demoClip))
        let cut = data.count * 6 / 10
        var rng = SystemRandomNumberGenerator()
        data.replaceSubrange(cut..<data.count, with: (0..<(data.count - cut)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let bad = dir.appendingPathComponent("corrupt.mpg")
        try data.write(to: bad)
        let out = dir.appendingPathComponent("partial.mkv").path
        _ = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", bad.path, "-o", out, "--video-codec", "raw", "--audio-codec", "raw"])
        let decoded = try TestSupport.decode(out)
        #expect(decoded.frames.count >= 30, "only \(decoded.frames.count) frames survived")
    }

    @Test("check-config: wrong key and wrong type are reported with their lines")
    func badConfig() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.yaml")
        try """
            source: data/grid_bbaf2n.mpg
            outputs:
              - file: out.mp4
            restore:
              max_face: 4
              detect_every: often
            """.write(to: file, atomically: true, encoding: .utf8)
        let r = try TestSupport.run(TestSupport.binary, ["check-config", file.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.yaml:5:3: error: unknown key 'max_face'"), "\(r.stderr)")
        #expect(r.stderr.contains("did you mean 'max_faces'"))
        #expect(r.stderr.contains("bad.yaml:6:17: error: 'detect_every' must be a whole number"), "\(r.stderr)")
    }

    @Test("run with a broken config exits non-zero before touching anything")
    func runBrokenConfig() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("broken.yaml")
        try "source: [unclosed\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try TestSupport.run(TestSupport.binary, ["run", "--config", file.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("broken.yaml:"))
        #expect(r.stderr.contains("YAML syntax"))
    }

    @Test("check-config warns about a config anyone else can write")
    func worldWritableConfig() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("open.yaml")
        try "source: \(TestSupport.demoClip)\noutputs:\n  - file: /tmp/x.mp4\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file.path)
        let r = try TestSupport.run(TestSupport.binary, ["check-config", file.path])
        #expect(r.stderr.contains("writable by everyone") && r.stderr.contains("chmod go-w"), "\(r.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let ok = try TestSupport.run(TestSupport.binary, ["check-config", file.path])
        #expect(!ok.stderr.contains("writable"))
    }

    @Test("a resolution change mid-stream: every frame still comes out, at the first size, letterboxed")
    func resolutionChange() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two MPEG-TS pieces, 320×240 then 640×360, spliced back to back as a camera reset would.
        let input = try TestSupport.splicedStream(in: dir, [.init(size: "320x240", fps: 25), .init(size: "640x360", fps: 25)])
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", input.path, "-o", out, "--video-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("100 frames out of 100"), "\(r.stderr)")
        #expect(r.stderr.contains("the source changed resolution"), "\(r.stderr)")
        let frames = try TestSupport.decode(out).frames
        #expect(frames.count == 100 && frames.allSatisfy { $0.width == 320 && $0.height == 240 })
        // The 16:9 part is letterboxed into 4:3: black bars at the top.
        let late = frames[90]
        #expect(late.pixels[(5 * 320 + 160) * 3] < 20)
    }

    @Test("a frame-rate change mid-stream (25 → 15 fps): every frame comes out with its own timestamp")
    func frameRateChange() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two MPEG-TS pieces of the same size, 2 s at 25 fps then 2 s at 15 fps, spliced.
        let input = try TestSupport.splicedStream(in: dir, [.init(size: "320x240", fps: 25), .init(size: "320x240", fps: 15)])
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", input.path, "-o", out, "--video-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("80 frames out of 80"), "\(r.stderr)")
        #expect(r.stderr.contains("the source changed frame rate"), "\(r.stderr)")
        let frames = try TestSupport.decode(out).frames
        #expect(frames.count == 80)
        // The output keeps the source's timing: 40 ms steps, then 66.7 ms steps.
        let steps = zip(frames, frames.dropFirst()).map { Double($1.pts.nanoseconds - $0.pts.nanoseconds) / 1e6 }
        #expect(steps.prefix(45).filter { abs($0 - 40) < 2 }.count >= 40, "\(steps)")
        #expect(steps.suffix(25).allSatisfy { abs($0 - 66.7) < 2 }, "\(steps)")
    }

    @Test("frames larger than 8K: a clear error naming their size and how to scale them down, no output")
    func giantFrames() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.mp4").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none",
                                                         "videotestsrc num-buffers=3 ! video/x-raw,width=9000,height=9000", "-o", out])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("sends 9000x9000 frames") && r.stderr.contains("videoscale"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("a file of random bytes: a clear error, no crash, no output left behind")
    func randomBytes() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Seeded: now and then unseeded bytes hold an MPEG start code and a decodable frame (a run
        // here once got one 704×576 frame and exit 0), which is GStreamer doing its job.
        var rng = SeededGenerator(seed: 0x5EED_0001)
        let junk = dir.appendingPathComponent("junk.mp4")
        try Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: junk)
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", junk.path, "-o", dir.appendingPathComponent("o.mp4").path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("Error:"), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Crash"))
    }

    /// A committed damaged file (Tests/Fixtures/damaged/make-bitflipped.sh): re-making it each
    /// run gave different bytes, so the flips hit different data and the outcome varied.
    @Test("bit-flipped H.264: every decodable frame is kept, timestamp damage is repaired and counted")
    func bitFlippedH264() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let damaged = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/damaged/bitflipped-h264.mkv").path
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", damaged, "-o", out, "--video-codec", "raw"])
        #expect(r.status == 0, "\(r.stderr)")
        guard FileManager.default.fileExists(atPath: out) else { Issue.record("no output written:\n\(r.stderr)"); return }
        let frames = try TestSupport.decode(out).frames
        // ffprobe -count_frames also decodes 74 of the 75: a frame whose time went bad is not lost.
        #expect(frames.count == 74, "\(frames.count) frames written; \(r.stderr)")
        let pts = frames.map(\.pts.nanoseconds)
        #expect(zip(pts, pts.dropFirst()).allSatisfy { $0 < $1 }, "output timestamps must increase: \(pts)")
        // From frame 14 on the source's timestamps stand still: those 60 are written 40 ms apart.
        #expect(r.stderr.contains("re-stamped 60"), "\(r.stderr)")
        #expect(r.stderr.contains("is not after the previous frame's"), "\(r.stderr)")
        // The frames the source skipped are the one long gap left in the output's timeline (its
        // first two frames are 23 ms early: matroskademux's first segment starts at the first
        // frame, its second at zero, and GStreamer's running time follows both).
        let longest = zip(pts, pts.dropFirst()).map { Double($1 - $0) / 40e6 }.max() ?? 0
        let missing = Int(longest.rounded()) - 1
        #expect(missing > 100)
        #expect(r.stderr.contains("missing in the source \(missing)"), "expected \(missing) missing; \(r.stderr)")
        #expect(r.stderr.contains("the source skipped frames"), "\(r.stderr)")
    }
}
