import Foundation
import Testing

/// Audio faults: a track that appears or goes away mid-stream (an MPEG-TS whose program
/// changes, as a broadcast feed or an encoder restarted with other settings makes it: the
/// demuxer replaces all its pads; before the fix the new video went nowhere and the session
/// hung), and audio with a hole and drifting timestamps.
@Suite("Audio faults mid-stream", .serialized)
struct AudioFaultTests {
    @Test("audio with a 0.5 s hole and timestamps drifting 2 %: every frame restored, the gap filled and counted")
    func gapAndDrift() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("gap.ts").path
        let make = try TestSupport.run("/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", TestSupport.demoClip, "-af",
                                                           "aselect='not(between(t,1,1.5))',asetpts=PTS*0.98",
                                                           "-c:v", "copy", "-c:a", "aac", "-f", "mpegts", input])
        #expect(make.status == 0, "\(make.stderr)")
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "realtime", input, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("75 frames out of 75"), "\(r.stderr)")
        #expect(r.stderr.contains("restored 75 face-frames"), "\(r.stderr)")
        // The hole reaches the model as silence of its own length, not as a shifted timeline.
        let gap = try #require(r.stderr.firstMatch(of: /model audio: 1 gaps filled with (\d+) ms of silence/), "\(r.stderr)")
        #expect(abs(Int(gap.1)! - 480) <= 40, "\(gap.0)")
        let decoded = try TestSupport.decode(out)
        #expect(decoded.frames.count == 75 && decoded.audioSeconds > 2)
    }

    @Test("audio goes away: the file is finished, video to the end, audio up to the change")
    func audioGoesAway() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 2 s with audio, then 6 s without (without the fix the muxer waited for audio forever).
        let input = try TestSupport.splicedStream(in: dir, [.init(size: "320x240", fps: 25),
                                                            .init(size: "320x240", fps: 25, seconds: 6, audio: false)])
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", input.path, "-o", out, "--video-codec", "raw"],
                                    timeout: 90)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("the audio track went away mid-stream"), "\(r.stderr)")
        #expect(r.stderr.contains("audio track changes 1"), "\(r.stderr)")
        let decoded = try TestSupport.decode(out)
        // The demuxer restarts the timeline a little before the old one ended: up to 3
        // overlapping frames are refused (counted as unsent), the rest all come out.
        #expect(decoded.frames.count >= 195 && decoded.frames.count <= 200, "\(decoded.frames.count) frames")
        #expect(abs(decoded.audioSeconds - 2) < 0.2, "\(decoded.audioSeconds) s of audio")
    }

    @Test("audio appears: the file keeps the shape it started with (video only), every frame out")
    func audioAppears() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try TestSupport.splicedStream(in: dir, [.init(size: "320x240", fps: 25, audio: false),
                                                            .init(size: "320x240", fps: 25, seconds: 4)])
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", input.path, "-o", out, "--video-codec", "raw"],
                                    timeout: 90)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("an audio track appeared mid-stream"), "\(r.stderr)")
        let decoded = try TestSupport.decode(out)
        #expect(decoded.frames.count >= 145 && decoded.frames.count <= 150, "\(decoded.frames.count) frames")
        #expect(decoded.audioSeconds == 0)
    }

    @Test("live: audio appears → the session restarts at once with audio, counted in /metrics")
    func liveAudioAppears() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try TestSupport.splicedStream(in: dir, [.init(size: "320x240", fps: 25, audio: false),
                                                            .init(size: "320x240", fps: 25, seconds: 20)])
        let port = Int.random(in: 40001...45000), feed = port + 5000
        let config = dir.appendingPathComponent("live.yaml")
        // A live MPEG-TS feed over UDP, as a broadcast encoder sends it: the spliced file sent at
        // its own pace by GStreamer (tsparse timestamps the packets from the stream's clock).
        try """
            source: 'udpsrc port=\(feed) caps="video/mpegts,systemstream=(boolean)true,packetsize=(int)188"'
            live: true
            model: none
            outputs:
              - sink: fakesink
            metrics:
              listen: 127.0.0.1:\(port)
            """.write(to: config, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        daemon.standardError = try FileHandle(forWritingTo: log)
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Send only once the daemon listens: joined late, the first session would see the PMT
        // change before any keyframe and fail instead of noticing the new audio track.
        let listening = Date(timeIntervalSinceNow: 30)
        while Date() < listening, !TestSupport.udpPortBound(feed) { Thread.sleep(forTimeInterval: 0.05) }
        #expect(TestSupport.udpPortBound(feed), "the daemon never listened on UDP port \(feed)")
        Thread.sleep(forTimeInterval: 0.2)
        let sender = Process()
        sender.executableURL = URL(fileURLWithPath: "/usr/bin/gst-launch-1.0")
        sender.arguments = ["-q", "filesrc", "location=\(input.path)", "!", "tsparse", "set-timestamps=true", "!",
                            "udpsink", "host=127.0.0.1", "port=\(feed)", "sync=true"]
        sender.standardOutput = FileHandle.nullDevice
        sender.standardError = FileHandle.nullDevice
        try sender.run()
        defer { if sender.isRunning { kill(sender.processIdentifier, SIGKILL) } }
        // The change comes 2.5 s in; the next session needs a few seconds to stream.
        var text = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.components(separatedBy: "audio=48000 Hz").count > 1 { break }
        }
        let metrics = try TestSupport.run("/usr/bin/curl", ["-s", "-f", "http://127.0.0.1:\(port)/metrics"], timeout: 10)
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(text.contains("audio track appeared mid-stream: restarting the session"), "\(text)")
        #expect(text.contains("restarting the session at once"), "\(text)")
        #expect(!text.contains("source lost"), "\(text)")
        // The session after the restart carries the audio.
        #expect(text.contains("audio=48000 Hz"), "\(text)")
        #expect(metrics.stdout.contains("facerestored_stream_changes_total{change=\"audio_appeared\"} 1"), "\(metrics.stdout)")
        #expect(daemon.terminationStatus == 0)
    }
}
