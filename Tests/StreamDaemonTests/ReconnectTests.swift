import Foundation
import Testing

/// A background process whose output lines are time-stamped as they arrive.
private final class LineRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(Date, String)] = []
    private var buffer = Data()

    func attach(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            let now = Date()
            self.lock.withLock {
                self.buffer.append(d)
                while let nl = self.buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: self.buffer[self.buffer.startIndex..<nl], as: UTF8.self)
                    self.buffer.removeSubrange(self.buffer.startIndex...nl)
                    self.lines.append((now, line))
                }
            }
        }
    }

    var snapshot: [(Date, String)] { lock.withLock { lines } }
    func first(containing text: String, after: Date) -> Date? {
        snapshot.first { $0.0 > after && $0.1.contains(text) }?.0
    }
}

private func start(_ program: String, _ args: [String], recorder: LineRecorder? = nil) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    recorder?.attach(pipe)
    if recorder == nil { pipe.fileHandleForReading.readabilityHandler = { _ = $0.availableData } }
    try p.run()
    return p
}

/// The last lines a process printed, for a failure message.
private func tail(_ recorder: LineRecorder, _ n: Int = 25) -> String {
    recorder.snapshot.suffix(n).map { "\($0.0.timeIntervalSince1970) \($0.1)" }.joined(separator: "\n")
}

private func waitFor(_ condition: () -> Bool, timeout: Double) -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

@Suite("Live source lost and back", .serialized)
struct ReconnectTests {
    @Test("an RTSP source stopped and restarted: the daemon's RTSP output stays up and resumes within 2 s of the source's return")
    func rtspSourceRestart() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sourcePort = Int.random(in: 20000...30000), outPort = sourcePort + 1
        let sourceConfig = dir.appendingPathComponent("source.yaml"), relayConfig = dir.appendingPathComponent("relay.yaml")
        try """
            source: "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! identity audiotestsrc is-live=true wave=ticks ! audio/x-raw,rate=48000,channels=1 ! identity"
            outputs:
              - rtsp: {port: \(sourcePort), path: /src}
            """.write(to: sourceConfig, atomically: true, encoding: .utf8)
        try """
            source: rtsp://camera:secret@127.0.0.1:\(sourcePort)/src
            outputs:
              - rtsp: {port: \(outPort), path: /out}
            """.write(to: relayConfig, atomically: true, encoding: .utf8)
        let sourceLog = LineRecorder(), relayLog = LineRecorder(), client = LineRecorder()
        var camera = try start(TestSupport.binary, ["run", "--config", sourceConfig.path], recorder: sourceLog)
        defer { if camera.isRunning { kill(camera.processIdentifier, SIGKILL) } }
        #expect(waitFor({ sourceLog.first(containing: "serving", after: .distantPast) != nil }, timeout: 20))
        let relay = try start(TestSupport.binary, ["run", "--config", relayConfig.path], recorder: relayLog)
        defer { if relay.isRunning { kill(relay.processIdentifier, SIGKILL) } }
        #expect(waitFor({ relayLog.first(containing: "serving", after: .distantPast) != nil }, timeout: 20))
        // A real client stays connected to the relay's output for the whole test.
        let viewer = try start("/usr/bin/ffmpeg", ["-v", "error", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:\(outPort)/out",
                                                   "-map", "0:v", "-flush_packets", "1", "-f", "framecrc", "-"], recorder: client)
        defer { if viewer.isRunning { viewer.terminate() } }
        #expect(waitFor({ client.snapshot.count > 60 }, timeout: 20), "the client got no frames")

        // The camera dies…
        let killed = Date()
        kill(camera.processIdentifier, SIGKILL)
        camera.waitUntilExit()
        #expect(waitFor({ relayLog.first(containing: "source lost", after: killed) != nil }, timeout: 10))
        Thread.sleep(forTimeInterval: 3)
        // …and comes back.
        let restartLog = LineRecorder()
        camera = try start(TestSupport.binary, ["run", "--config", sourceConfig.path], recorder: restartLog)
        #expect(waitFor({ restartLog.first(containing: "serving", after: .distantPast) != nil }, timeout: 20))
        let back = restartLog.first(containing: "serving", after: .distantPast) ?? Date()
        // The relay's new session starts streaming the source again…
        #expect(waitFor({ relayLog.first(containing: "streaming", after: back) != nil }, timeout: 10))
        let resumed = relayLog.first(containing: "streaming", after: back) ?? .distantFuture
        let delay = resumed.timeIntervalSince(back)
        print("reconnect: output resumed \(String(format: "%.2f", delay)) s after the source came back")
        // On a slow recovery the relay's own lines say which start-up phase took the time.
        #expect(delay < 2.0, "output resumed \(delay) s after the source came back\n--- relay ---\n\(tail(relayLog, 30))")
        // …and the client kept receiving pictures throughout (the last frame held during the outage).
        #expect(waitFor({ client.snapshot.last.map { $0.0 > resumed.addingTimeInterval(1) } ?? false }, timeout: 10))
        let times = client.snapshot.map(\.0).filter { $0 > killed }
        let longestGap = zip(times, times.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? .infinity
        print("reconnect: longest gap between frames at the client during the outage \(String(format: "%.2f", longestGap)) s")
        #expect(longestGap < 2.0)
        #expect(viewer.isRunning, "the RTSP client was disconnected")
        #expect(relay.isRunning, "the relay process restarted or died")
        // Credentials in the source URL never reach the log.
        #expect(!relayLog.snapshot.contains { $0.1.contains("secret") })
        #expect(relayLog.snapshot.contains { $0.1.contains("rtsp://***@127.0.0.1") })
        kill(relay.processIdentifier, SIGTERM)
        relay.waitUntilExit()
        #expect(relay.terminationStatus == 0)
    }

    @Test("SIGHUP reloads the config without dropping RTSP clients; a broken config is reported and ignored")
    func reloadOnHangup() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 30001...40000)
        let config = dir.appendingPathComponent("cam.yaml")
        let base = """
            source: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1"
            outputs:
              - rtsp: {port: \(port), path: /cam}
            """
        try base.write(to: config, atomically: true, encoding: .utf8)
        let log = LineRecorder(), client = LineRecorder()
        let daemon = try start(TestSupport.binary, ["run", "--config", config.path], recorder: log)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        #expect(waitFor({ log.first(containing: "serving", after: .distantPast) != nil }, timeout: 20))
        let viewer = try start("/usr/bin/ffmpeg", ["-v", "error", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:\(port)/cam",
                                                   "-flush_packets", "1", "-f", "framecrc", "-"], recorder: client)
        defer { if viewer.isRunning { viewer.terminate() } }
        // Generous: a debug daemon among the suite's other processes on 2 cores starts slowly.
        let firstFrames = waitFor({ client.snapshot.count > 30 }, timeout: 45)
        #expect(firstFrames, "the client got \(client.snapshot.count) lines in 45 s (running: \(viewer.isRunning))\n\(tail(client))\n--- daemon ---\n\(tail(log))")
        try (base + "\nlatency_budget_ms: 200\n").write(to: config, atomically: true, encoding: .utf8)
        let hup = Date()
        kill(daemon.processIdentifier, SIGHUP)
        #expect(waitFor({ log.first(containing: "config reloaded; RTSP clients stay connected", after: hup) != nil }, timeout: 10))
        let count = client.snapshot.count
        #expect(waitFor({ client.snapshot.count > count + 30 }, timeout: 20),
                "the client stopped receiving after the reload\n\(tail(client))\n--- daemon ---\n\(tail(log))")
        try (base + "\nbogus_key: 1\n").write(to: config, atomically: true, encoding: .utf8)
        let second = Date()
        kill(daemon.processIdentifier, SIGHUP)
        #expect(waitFor({ log.first(containing: "unknown key 'bogus_key'", after: second) != nil }, timeout: 10))
        #expect(daemon.isRunning && viewer.isRunning)
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
    }
}
