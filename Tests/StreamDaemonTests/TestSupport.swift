import Foundation
import GstBridge
import Media

/// Paths and process helpers shared by the daemon's end-to-end tests.
enum TestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let demoClip = repoRoot.appendingPathComponent("data/grid_bbaf2n.mpg").path

    /// The `facerestored` binary built next to the test bundle.
    static var binary: String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return exe.deletingLastPathComponent().appendingPathComponent("facerestored").path
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fr-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Whether some process on this machine has a UDP socket bound to `port` (read from
    /// /proc/net/udp and udp6: no tool needed). Lets a test send only once a daemon listens.
    static func udpPortBound(_ port: Int) -> Bool {
        let hex = ":" + String(format: "%04X", port)
        return ["/proc/net/udp", "/proc/net/udp6"].contains { path in
            let rows = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
            return rows.contains { $0.split(separator: " ").dropFirst().first?.hasSuffix(hex) == true }
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program to completion (killed after `timeout` seconds).
    /// One piece of a spliced test stream: a test pattern, with a 440 Hz tone unless `audio` is false.
    struct Piece {
        var size: String
        var fps: Int
        var seconds = 2
        var audio = true
    }

    /// MPEG-TS pieces spliced back to back into `spliced.ts` in `dir`, as a camera reset or a
    /// broadcast's program change would make them; each piece is timed 0.5 s after the
    /// previous one ends. Pieces with and without audio differ in their PMT, so the demuxer
    /// switches programs between them.
    static func splicedStream(in dir: URL, _ pieces: [Piece]) throws -> URL {
        var spliced = Data()
        var offset = 0.0
        for (i, piece) in pieces.enumerated() {
            let path = dir.appendingPathComponent("piece\(i).ts").path
            var args = ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(piece.size):rate=\(piece.fps)"]
            if piece.audio { args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac"] }
            // One keyframe a second, as cameras send them: a receiver joining late starts soon.
            args += ["-t", "\(piece.seconds)", "-c:v", "libx264", "-g", "\(piece.fps)", "-pix_fmt", "yuv420p",
                     "-output_ts_offset", "\(offset)", "-f", "mpegts", path]
            let r = try run("/usr/bin/ffmpeg", args)
            guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
            spliced.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            offset += Double(piece.seconds) + 0.5
        }
        let input = dir.appendingPathComponent("spliced.ts")
        try spliced.write(to: input)
        return input
    }

    static func run(_ program: String, _ arguments: [String], timeout: Double = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = Date(timeIntervalSinceNow: timeout)
        // Read while waiting so a chatty child cannot block on a full pipe.
        let outData = LockedValue(Data()), errData = LockedValue(Data())
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                let d = pipe.fileHandleForReading.readDataToEndOfFile()
                box.set(d)
                group.leave()
            }
        }
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate(); Thread.sleep(forTimeInterval: 1); if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        p.waitUntilExit()
        group.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// Decodes a media file with the project's own input pipeline (GStreamer decoders).
    static func decode(_ path: String) throws -> (frames: [VideoFrame], audioSeconds: Double, audioRate: Int) {
        let input = try InputPipeline(source: SourceSpec(parsing: path), options: InputOptions(live: false))
        try input.start()
        _ = try input.waitForStreams(timeout: 10)
        var frames: [VideoFrame] = []
        var samples = 0, rate = 0
        while true {
            var progressed = false
            if case .element(let f) = input.video.pop(timeout: 0.01) { frames.append(f); progressed = true }
            while case .element(let c) = input.audio.tryPop() { samples += c.frameCount; rate = c.sampleRate; progressed = true }
            if !progressed && input.video.isDrained && input.audio.isDrained { break }
        }
        input.stop()
        return (frames, rate > 0 ? Double(samples) / Double(rate) : 0, rate)
    }
}

/// Deterministic generator for fuzzing and damage (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
