import ArgumentParser
import Foundation
import GstBridge
import Logging
import Restore

/// `facerestored bench …`: benchmarks that print figures and ratios (never timed unit tests).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: throughput and added latency.",
        subcommands: [PassthroughBench.self, FrontEndBench.self, EngineBench.self, LiveBench.self, ChurnBench.self])
}

/// Decode → identity restoration slot (Δ = 2 lookahead) → encode, on the shipped clip and on a
/// 1280×720@30 test source, reporting frames/s and the added latency (appsink arrival → appsrc push).
struct PassthroughBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passthrough",
        abstract: "Frames/s and added latency of the passthrough pipeline.")

    @Option(help: "The clip to measure (default: the shipped demo clip).")
    var clip: String = DemoClip.path

    @Option(help: "Seconds of 1280×720@30 test video.")
    var seconds: Int = 10

    func run() throws {
        let logger = Logger(label: "bench")
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("facerestored-bench-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        print("facerestored bench passthrough — \(Gst.version), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("case                                   frames   fps      latency p50   p95 (ms)")

        let n = seconds * 30
        let video720 = "videotestsrc num-buffers=\(n) pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 ! identity "
            + "audiotestsrc num-buffers=\(seconds * 48000 / 1024) samplesperbuffer=1024 wave=ticks ! audio/x-raw,rate=48000,channels=2 ! identity"
        let live720 = "videotestsrc is-live=true num-buffers=\(n) pattern=ball ! video/x-raw,width=1280,height=720,framerate=30/1 ! identity "
            + "audiotestsrc is-live=true num-buffers=\(seconds * 48000 / 1024) samplesperbuffer=1024 wave=ticks ! audio/x-raw,rate=48000,channels=2 ! identity"
        let cases: [(String, SourceSpec, Bool, Bool)] = [
            ("shipped clip, as fast as possible", SourceSpec(parsing: clip), false, false),
            ("shipped clip, paced at 25 fps", SourceSpec(parsing: clip), true, true),
            ("1280x720@30, as fast as possible", SourceSpec(launch: video720), false, false),
            ("1280x720@30, live source", SourceSpec(launch: live720), true, false),
        ]
        for (index, (name, source, live, realtime)) in cases.enumerated() {
            let out = tmp.appendingPathComponent("out\(index).mp4").path
            let options = StreamSession.Options(
                source: source, outputs: [.file(path: out)], encoder: EncoderSettings(live: live), live: live,
                realtime: realtime, policy: live ? OverloadPolicy() : .never)
            let session = StreamSession(options: options, processor: IdentityProcessor(), rtspServer: nil, logger: logger)
            let r = try session.run()
            let p50 = r.latency.percentile(50) ?? .nan, p95 = r.latency.percentile(95) ?? .nan
            print(name.padding(toLength: 38, withPad: " ", startingAt: 0)
                  + String(format: " %6d  %7.1f   %8.1f  %8.1f", r.framesOut, r.fps, p50, p95)
                  + (r.passthrough > 0 || r.dropped > 0 ? "  (passthrough \(r.passthrough), dropped \(r.dropped))" : ""))
        }
        print("latency = appsink arrival → appsrc push; it includes the 2-frame lookahead of the restoration window.")
    }
}
