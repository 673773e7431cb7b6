import Foundation
import Testing

@Suite("Live source to RTSP", .serialized)
struct LiveRTSPTests {
    @Test("videotestsrc/audiotestsrc → RTSP on 127.0.0.1 → a real client sees video and audio; SIGTERM exits 0")
    func rtspServesVideoAndAudio() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 20000...40000)
        let config = dir.appendingPathComponent("live.yaml")
        try """
            source: "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! identity audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=48000,channels=1 ! identity"
            outputs:
              - rtsp:
                  port: \(port)
                  path: /live
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        let log = dir.appendingPathComponent("daemon.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        daemon.standardError = handle
        daemon.standardOutput = handle
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Wait for the server to announce itself.
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("serving rtsp://") { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let probe = try TestSupport.run("/usr/bin/ffprobe", [
            "-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_type,codec_name",
            "-of", "compact", "rtsp://127.0.0.1:\(port)/live"], timeout: 30)
        #expect(probe.stdout.contains("codec_type=video"), "ffprobe: \(probe.stdout) \(probe.stderr)")
        #expect(probe.stdout.contains("codec_type=audio"), "ffprobe: \(probe.stdout) \(probe.stderr)")
        let discover = try TestSupport.run("/usr/bin/gst-discoverer-1.0", ["-t", "15", "rtsp://127.0.0.1:\(port)/live"], timeout: 30)
        #expect(discover.stdout.contains("video #"), "\(discover.stdout)")
        #expect(discover.stdout.contains("audio #"), "\(discover.stdout)")
        kill(daemon.processIdentifier, SIGTERM)
        let stopDeadline = Date(timeIntervalSinceNow: 15)
        while daemon.isRunning && Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!daemon.isRunning)
        if !daemon.isRunning { #expect(daemon.terminationStatus == 0) }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("stopped"), "\(text)")
    }

    @Test("RTSP basic authentication: no or wrong credentials get 401, the right ones get the stream")
    func basicAuth() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 20000...40000)
        let config = dir.appendingPathComponent("auth.yaml")
        try """
            source: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1"
            outputs:
              - rtsp: {port: \(port), path: /cam, user: viewer, password: "pa55word"}
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        let log = dir.appendingPathComponent("d.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        daemon.standardError = try FileHandle(forWritingTo: log)
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("serving") {
            Thread.sleep(forTimeInterval: 0.1)
        }
        func probe(_ url: String) throws -> TestSupport.Result {
            try TestSupport.run("/usr/bin/ffprobe", ["-v", "error", "-rtsp_transport", "tcp", "-show_entries", "stream=codec_type",
                                                     "-of", "csv=p=0", url], timeout: 20)
        }
        let anonymous = try probe("rtsp://127.0.0.1:\(port)/cam")
        #expect(anonymous.status != 0 && anonymous.stderr.contains("401"))
        let wrong = try probe("rtsp://viewer:nope@127.0.0.1:\(port)/cam")
        #expect(wrong.status != 0 && wrong.stderr.contains("401"))
        let right = try probe("rtsp://viewer:pa55word@127.0.0.1:\(port)/cam")
        #expect(right.status == 0 && right.stdout.contains("video"), "\(right.stderr)")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(!((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("pa55word"))
    }
}
