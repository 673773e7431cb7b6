import Foundation
import GstBridge
import Logging
import Media
import Restore
import Testing
@testable import StreamDaemon

/// A processor slower than real time: 60 ms per frame at 30 fps.
private final class SlowProcessor: FrameProcessor {
    let lookahead = 2
    var restored = 0
    func process(_ window: FrameWindow) -> VideoFrame {
        Thread.sleep(forTimeInterval: 0.06)
        restored += 1
        return window.centreFrame
    }
}

@Suite("Live overload policy end to end", .serialized)
struct OverloadTests {
    @Test("a live source is never blocked: when restoration falls behind, frames pass through (counted), none is lost")
    func slowProcessorOnLiveSource() throws {
        let source = SourceSpec(launch: "videotestsrc is-live=true num-buffers=90 ! video/x-raw,width=160,height=120,framerate=30/1")
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(live: true), live: true,
                                            policy: OverloadPolicy(latencyBudgetMs: 150, maxBacklog: 3))
        let processor = SlowProcessor()
        let session = StreamSession(options: options, processor: processor, rtspServer: nil, logger: Logger(label: "test"))
        let report = try session.run()
        #expect(report.framesIn == 90)
        #expect(report.framesOut == 90)
        #expect(report.dropped == 0)
        #expect(report.passthrough > 0)
        #expect(processor.restored + report.passthrough == 90)
        // Restoring every frame would take 90 × 60 ms = 5.4 s behind a 3 s source; the policy
        // keeps the added latency near the budget instead.
        #expect((report.latency.percentile(95) ?? .infinity) < 400)
        // Frames sent as they came stay in the lookahead window, which gives their arrays back
        // when done with them; none is handed out while still held (no copy-on-write), and the
        // arrays in use at once (queue, window, output) are all that were ever allocated.
        #expect(report.frameArrays.copiedOnWrite == 0)
        #expect(report.frameArrays.allocated <= 12 && report.frameArrays.reused >= 75)
    }

    @Test("a file source blocks instead: every frame is restored however slow")
    func slowProcessorOnFile() throws {
        let source = SourceSpec(launch: "videotestsrc num-buffers=20 ! video/x-raw,width=160,height=120,framerate=30/1")
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(), live: false, policy: .never)
        let processor = SlowProcessor()
        let report = try StreamSession(options: options, processor: processor, rtspServer: nil, logger: Logger(label: "test")).run()
        #expect(report.framesOut == 20 && report.passthrough == 0 && processor.restored == 20)
    }
}
