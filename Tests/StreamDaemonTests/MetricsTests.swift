import Foundation
import Restore
import Testing

@Suite("Metrics and health", .serialized)
struct MetricsTests {
    @Test("/metrics parses as Prometheus text and counts frames; /healthz is 200 while streaming; loopback only")
    func metricsEndpoint() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 30000...40000)
        let config = dir.appendingPathComponent("m.yaml")
        try """
            source: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1 ! identity drop-probability=0.3"
            outputs:
              - sink: fakesink
            metrics:
              listen: 127.0.0.1:\(port)
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: TestSupport.binary)
        daemon.arguments = ["run", "--config", config.path]
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        // Polled, not slept: a debug daemon among the suite's other processes starts slowly.
        var metrics = TestSupport.Result(status: -1, stdout: "", stderr: "")
        let deadline = Date(timeIntervalSinceNow: 45)
        repeat {
            Thread.sleep(forTimeInterval: 0.5)
            metrics = try TestSupport.run("/usr/bin/curl", ["-s", "-f", "http://127.0.0.1:\(port)/metrics"], timeout: 10)
        } while Date() < deadline && !(metrics.status == 0 && framesOut(metrics.stdout) > 30)
        #expect(metrics.status == 0)
        let sample = try! Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+]?([0-9.eE+-]+|NaN|\+Inf|-Inf)$"#)
        var values: [String: Double] = [:]
        for line in metrics.stdout.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "not Prometheus text: \(line)")
            let parts = line.split(separator: " ")
            values[String(parts[0])] = Double(parts[1])
        }
        #expect((values["facerestored_frames_in_total"] ?? 0) > 30, "\(metrics.stdout)")
        #expect((values["facerestored_frames_out_total"] ?? 0) > 30)
        #expect(values["facerestored_streaming"] == 1)
        // identity drops 30 % of the source's frames, as a lossy network would: the gaps in their
        // timestamps are counted (no drop in 30 frames: 0.7^30, about 2e-5).
        #expect((values["facerestored_source_missing_frames_total"] ?? 0) > 0, "\(metrics.stdout)")
        #expect(values["facerestored_stage_seconds_count{stage=\"track\"}"] ?? 0 > 30, "\(metrics.stdout)")
        // The weights in use, by name (the config leaves the default: the shipped realtime model).
        #expect(values.contains { $0.key.hasPrefix("facerestored_model_info{") && $0.key.contains("profile=\"realtime\"")
                    && $0.key.contains("precision=\"\(EnginePrecision.forThisCPU.rawValue)\"") && $0.value == 1 },
                "\(metrics.stdout)")
        let health = try TestSupport.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                           "http://127.0.0.1:\(port)/healthz"], timeout: 10)
        #expect(health.stdout == "200")
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0)
    }
}

/// `facerestored_frames_out_total` in a Prometheus text, or 0.
private func framesOut(_ text: String) -> Double {
    text.split(separator: "\n").first { $0.hasPrefix("facerestored_frames_out_total ") }
        .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
}
