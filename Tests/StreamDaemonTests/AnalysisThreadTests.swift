import Foundation
import GstBridge
import Logging
import Media
import Restore
import Testing
@testable import StreamDaemon

/// Records which thread analysed which frame (20 ms each, like tracking a 720p frame).
private final class RecordingAnalysis: FrameAnalysis, @unchecked Sendable {
    let seen = LockedValue<[(sequence: Int, thread: UInt)]>([])
    /// In call order: "a<sequence>" for an analysis asked to defer, "s<sequence>" for one that
    /// was not, "f" for finishDeferred.
    let calls = LockedValue<[String]>([])
    func analyse(_ frame: VideoFrame, deferring: Bool) -> AnalysedFrame {
        Thread.sleep(forTimeInterval: 0.02)
        seen.set(seen.get() + [(frame.sequence, UInt(pthread_self()))])
        calls.set(calls.get() + ["\(deferring ? "a" : "s")\(frame.sequence)"])
        return AnalysedFrame(frame: frame, tracks: [], nanos: 20_000_000, trackerCounters: FaceTracker.Counters())
    }
    func finishDeferred() { calls.set(calls.get() + ["f"]) }
}

/// Takes 20 ms per restored frame and hands its tracking to `RecordingAnalysis`.
private final class SplitProcessor: FrameProcessor {
    let lookahead = 2
    let analysis = RecordingAnalysis()
    var arrived: [Int] = []
    var processed = 0
    var processThreads = Set<UInt>()
    func detachAnalysis() -> (any FrameAnalysis)? { analysis }
    func frameArrived(_ frame: VideoFrame) { Issue.record("frameArrived(_:) after the analysis was detached") }
    func frameArrived(analysed: AnalysedFrame) { arrived.append(analysed.frame.sequence) }
    func process(_ window: FrameWindow) -> VideoFrame {
        Thread.sleep(forTimeInterval: 0.02)
        processed += 1
        processThreads.insert(UInt(pthread_self()))
        return window.centreFrame
    }
}

@Suite("Tracking on the analysis thread", .serialized)
struct AnalysisThreadTests {
    @Test("every frame is analysed once, in order, off the restoration thread, and arrives in order")
    func orderAndThreads() throws {
        let source = SourceSpec(launch: "videotestsrc num-buffers=40 ! video/x-raw,width=160,height=120,framerate=30/1")
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(), live: false, policy: .never)
        let processor = SplitProcessor()
        let report = try StreamSession(options: options, processor: processor, rtspServer: nil, logger: Logger(label: "test")).run()
        #expect(report.framesOut == 40)
        let seen = processor.analysis.seen.get()
        #expect(seen.map(\.sequence) == Array(0..<40))
        #expect(processor.arrived == Array(0..<40))
        // The first frame is analysed on the restoration thread, before the analysis thread
        // starts; every later one on that one other thread.
        let analysisThreads = Set(seen.dropFirst().map(\.thread))
        #expect(analysisThreads.count == 1)
        #expect(processor.processThreads.count == 1 && processor.processThreads.isDisjoint(with: analysisThreads))
        #expect(processor.processThreads.contains(seen[0].thread))
        #expect(processor.processed == 40)
    }

    @Test("with a latency budget, the deferred work of each frame runs after its hand-over; files never defer",
          arguments: [true, false])
    func deferredAfterHandOver(budget: Bool) throws {
        let source = SourceSpec(launch: "videotestsrc num-buffers=12 ! video/x-raw,width=160,height=120,framerate=30/1")
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(), live: false,
                                            policy: budget ? OverloadPolicy(latencyBudgetMs: 10_000) : .never)
        let processor = SplitProcessor()
        let report = try StreamSession(options: options, processor: processor, rtspServer: nil, logger: Logger(label: "test")).run()
        #expect(report.framesOut == 12)
        let calls = processor.analysis.calls.get()
        if budget {
            // The first frame is analysed on the restoration thread, before the analysis thread
            // exists: in full.
            #expect(calls == ["s0"] + (1..<12).flatMap { ["a\($0)", "f"] })
        } else {
            #expect(calls == (0..<12).map { "s\($0)" })
        }
    }

    @Test("a stop request mid-stream ends the session and its analysis thread without hanging")
    func stopMidStream() throws {
        let source = SourceSpec(launch: "videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=30/1")
        let options = StreamSession.Options(source: source, outputs: [.sink(video: "fakesink sync=false", audio: nil)],
                                            encoder: EncoderSettings(live: true), live: true,
                                            policy: OverloadPolicy(latencyBudgetMs: 150))
        let processor = SplitProcessor()
        let session = StreamSession(options: options, processor: processor, rtspServer: nil, logger: Logger(label: "test"))
        DispatchQueue.global().asyncAfter(deadline: .now() + 1.5) { session.requestStop() }
        let started = Date()
        let report = try session.run()
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(report.framesOut > 10)
        #expect(processor.arrived == Array(0..<processor.arrived.count))
    }
}
