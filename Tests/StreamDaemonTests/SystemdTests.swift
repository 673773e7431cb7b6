import Foundation
import Testing

@Suite("systemd integration", .serialized)
struct SystemdTests {
    @Test("sd_notify on a socket of the test's own: READY=1 once playing, WATCHDOG=1 while running, STOPPING=1 on SIGTERM")
    func notifyProtocol() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let socketPath = dir.appendingPathComponent("notify.sock").path
        let receivedPath = dir.appendingPathComponent("received.txt").path
        // A datagram listener playing systemd's part (Python's standard library: no pointers here).
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listener.arguments = ["python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(sys.argv[1])
            s.settimeout(30)
            with open(sys.argv[2], "a") as out:
                while True:
                    try:
                        msg = s.recv(4096).decode()
                    except socket.timeout:
                        break
                    out.write(msg.replace("\\n", "|") + "\\n")
                    out.flush()
                    if "STOPPING=1" in msg:
                        break
            """, socketPath, receivedPath]
        try listener.run()
        defer { if listener.isRunning { listener.terminate() } }
        let deadline = Date(timeIntervalSinceNow: 10)
        while !FileManager.default.fileExists(atPath: socketPath) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }

        let config = dir.appendingPathComponent("cam.yaml")
        try """
            source: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1"
            outputs:
              - record: {directory: \(dir.appendingPathComponent("rec").path), segment_seconds: 1}
              - file: \(dir.appendingPathComponent("whole.mp4").path)
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = socketPath
        env["WATCHDOG_USEC"] = "400000"
        daemon.environment = env
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Run until five watchdog pings and three segments (two finished) are in, however slowly a
        // loaded machine starts the debug daemon; then at least 2 s were streamed.
        func received() -> [String] {
            (try? String(contentsOfFile: receivedPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        }
        let rec = dir.appendingPathComponent("rec").path
        let streamed = Date(timeIntervalSinceNow: 45)
        while Date() < streamed, daemon.isRunning,
              received().filter({ $0.contains("WATCHDOG=1") }).count < 5
                || ((try? FileManager.default.contentsOfDirectory(atPath: rec))?.count ?? 0) < 3 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        listener.waitUntilExit()
        let lines = received()
        #expect(daemon.terminationStatus == 0)
        let readyIndex = lines.firstIndex { $0.contains("READY=1") }
        #expect(readyIndex != nil, "\(lines)")
        #expect(lines.filter { $0.contains("WATCHDOG=1") }.count >= 5, "\(lines)")
        #expect(lines.last?.contains("STOPPING=1") == true, "\(lines)")
        // SIGTERM finalised the file output: it plays, with the 2 s or more that were streamed.
        let whole = try TestSupport.run("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames",
                                                             "-of", "csv=p=0", dir.appendingPathComponent("whole.mp4").path])
        #expect(whole.status == 0 && (Int(whole.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 45, "\(whole.stdout) \(whole.stderr)")
        // Every finished recording segment plays.
        let segments = try FileManager.default.contentsOfDirectory(atPath: rec).sorted()
        #expect(segments.count >= 2)
        for s in segments {
            let probe = try TestSupport.run("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames",
                                                                 "-of", "csv=p=0", dir.appendingPathComponent("rec/\(s)").path])
            #expect(probe.status == 0 && (Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(s): \(probe.stderr)")
        }
    }

    @Test("kill -9 mid-recording: every finished segment still plays")
    func killNine() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("cam.yaml")
        let rec = dir.appendingPathComponent("rec")
        try """
            source: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! identity audiotestsrc is-live=true ! identity"
            outputs:
              - record: {directory: \(rec.path), segment_seconds: 1}
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        // Wait for at least three segments (a loaded machine starts slower), then kill -9.
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: rec.path))?.count ?? 0) < 3 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let segments = try FileManager.default.contentsOfDirectory(atPath: rec.path).sorted()
        #expect(segments.count >= 3, "\(segments)")
        // All but the last (being written when killed) must be complete and playable.
        for s in segments.dropLast() {
            let probe = try TestSupport.run("/usr/bin/gst-discoverer-1.0", [rec.appendingPathComponent(s).path])
            #expect(probe.status == 0 && probe.stdout.contains("video #"), "\(s): \(probe.stdout)")
        }
    }
}

@Suite("systemd unit")
struct SystemdUnitTests {
    private func unitWithTestBinary() throws -> URL {
        let dir = try TestSupport.temporaryDirectory()
        let text = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("systemd/facerestored@.service"), encoding: .utf8)
        let unit = dir.appendingPathComponent("facerestored@camera1.service")
        try text.replacingOccurrences(of: "/usr/local/bin/facerestored", with: TestSupport.binary)
            .write(to: unit, atomically: true, encoding: .utf8)
        return unit
    }

    @Test("systemd-analyze verify accepts the unit; its exposure is at most 2.0")
    func verifyAndSecurity() throws {
        let unit = try unitWithTestBinary()
        defer { try? FileManager.default.removeItem(at: unit.deletingLastPathComponent()) }
        let verify = try TestSupport.run("/usr/bin/systemd-analyze", ["verify", unit.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let security = try TestSupport.run("/usr/bin/systemd-analyze", ["security", "--offline=true", unit.path])
        let line = (security.stdout + security.stderr).split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let level = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        #expect(level != nil && level! <= 2.0, "\(line)")
    }
}
