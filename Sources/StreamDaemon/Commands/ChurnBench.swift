import ArgumentParser
import Foundation
import GstBridge
import Media

/// `facerestored bench churn`: builds, runs and drops input + output pipelines many times and
/// reports the process's resident memory before and after. It runs in a process of its own because
/// RSS is per process: measured inside a test runner, every test running beside it adds noise.
struct ChurnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn",
        abstract: "Resident memory before and after building and dropping many pipelines (leak check).")

    @Option(help: "Pipelines built and dropped before the first measurement (plugin loading, allocator pools).")
    var warmup: Int = 8

    @Option(help: "Pipelines built and dropped between the two measurements.")
    var cycles: Int = 40

    func run() throws {
        // The daemon's own heap settings, and freed heap handed back before each reading: a leak
        // is memory still held, and without the trims the figure mostly measured how much freed
        // memory glibc happened to keep (27.7 MB once on a fresh clone, under 20 MB most runs).
        MallocTuning.configure()
        for _ in 0..<warmup { try Self.once() }
        MallocTuning.releaseFreedMemory()
        let before = ProcessStats.residentKB()
        for _ in 0..<cycles { try Self.once() }
        MallocTuning.releaseFreedMemory()
        let after = ProcessStats.residentKB()
        print("facerestored bench churn — \(Gst.version)")
        print("RSS \(before) kB → \(after) kB over \(cycles) input+output pipelines")
        print(String(format: "rss_growth_kb=%d rss_growth_ratio=%.3f", after - before,
                     before > 0 ? Double(after) / Double(before) : 0))
    }

    private static func once() throws {
        let input = try InputPipeline(
            source: SourceSpec(launch: "videotestsrc num-buffers=20 ! video/x-raw,width=640,height=360,framerate=30/1 ! identity "
                               + "audiotestsrc num-buffers=10 ! identity"),
            options: InputOptions(live: false))
        try input.start()
        _ = try input.waitForStreams(timeout: 5)
        let output = try OutputPipeline(outputs: [.sink(video: "fakesink", audio: "fakesink")],
                                        video: VideoFormat(width: 640, height: 360, frameRate: FrameRate(30, 1)),
                                        audio: (44100, 1), settings: EncoderSettings())
        try output.start()
        while let f = input.video.pop() { output.push(f) }
        while case .element(let c) = input.audio.tryPop() { output.push(c) }
        try output.finish(timeout: 10)
        input.stop()
    }
}
