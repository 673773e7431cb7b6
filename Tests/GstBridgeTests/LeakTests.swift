import Foundation
import Media
import Testing
@testable import GstBridge

private func residentKB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

@Suite("Pipelines release what they hold", .serialized)
struct LeakTests {
    @Test("building, running and dropping input + output pipelines 40 times does not grow memory")
    func repeatedPipelines() throws {
        func once() throws {
            let input = try InputPipeline(source: SourceSpec(launch: "videotestsrc num-buffers=20 ! video/x-raw,width=640,height=360,framerate=30/1 ! identity audiotestsrc num-buffers=10 ! identity"),
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
        for _ in 0..<8 { try once() }          // warm-up: plugin loading, allocator pools
        let before = residentKB()
        for _ in 0..<40 { try once() }
        let after = residentKB()
        print("pipelines: RSS \(before) → \(after) kB over 40 input+output pipelines")
        // A leaked pipeline holds at least its frame queues (~MBs); allow allocator noise.
        #expect(after - before < 20_000, "RSS grew by \(after - before) kB")
    }
}
