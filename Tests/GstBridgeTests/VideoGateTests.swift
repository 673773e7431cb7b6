import CGst
import Foundation
import Media
import Testing
@testable import GstBridge

/// Raw frames pushed through an appsrc source, as a capture driver would deliver them: good
/// ones, an empty one, a truncated one, then frames over the size limit.
@Suite("Video gate: empty, short and oversized frames are dropped and counted")
struct VideoGateTests {
    private static func frame(_ width: Int, _ height: Int, _ shade: UInt8) -> VideoFrame {
        VideoFrame(width: width, height: height, pixels: [UInt8](repeating: shade, count: width * height * 3),
                   pts: .zero, sequence: 0, arrivalNanos: 0)
    }

    @Test("the stream goes on past bad frames; each kind is counted, and caps changes too")
    func dropsAndCounts() throws {
        let caps = "video/x-raw,format=RGB,width=64,height=48,framerate=25/1"
        let input = try InputPipeline(
            source: SourceSpec(parsing: "appsrc name=feed format=time caps=\(caps)"),
            options: InputOptions(live: false, frameSizeLimit: FrameSizeLimit(maxSide: 100, maxPixels: 100 * 100)))
        guard let feed = input.pipeline.element(named: "feed") else { Issue.record("no appsrc"); return }
        let source = AppSource(element: feed)
        let appsrc = UnsafeMutableRawPointer(feed.pointer).assumingMemoryBound(to: GstAppSrc.self)
        // Nothing can preroll before the first push; the pushes below are what it waits for.
        try input.pipeline.play(waitForPreroll: false)
        var t = 0
        func next() -> MediaTime { defer { t += 1 }; return MediaTime(nanoseconds: Int64(t) * 40_000_000) }
        func pushRaw(bytes: Int) {
            let buffer = gst_buffer_new_allocate(nil, gsize(bytes), nil)!
            cgst_buffer_set_pts(buffer, GstClockTime(next().nanoseconds))
            _ = gst_app_src_push_buffer(appsrc, buffer)
        }
        for _ in 0..<3 { #expect(source.push(Self.frame(64, 48, 100), pts: next(), duration: nil)) }
        pushRaw(bytes: 0)                 // a driver's empty buffer
        pushRaw(bytes: 64 * 48 * 3 / 2)   // half a frame
        for _ in 0..<2 { #expect(source.push(Self.frame(64, 48, 150), pts: next(), duration: nil)) }
        // Over the limit (120 > 100 a side): dropped before conversion.
        source.setCaps("video/x-raw,format=RGB,width=120,height=40,framerate=25/1")
        for _ in 0..<4 { #expect(source.push(Self.frame(120, 40, 200), pts: next(), duration: nil)) }
        // Back to a size within the limit, at another frame rate.
        source.setCaps("video/x-raw,format=RGB,width=80,height=60,framerate=15/1")
        for _ in 0..<2 { #expect(source.push(Self.frame(80, 60, 250), pts: next(), duration: nil)) }
        // An unknown rate (0/1) is not a frame-rate change.
        source.setCaps("video/x-raw,format=RGB,width=80,height=60,framerate=0/1")
        #expect(source.push(Self.frame(80, 60, 251), pts: next(), duration: nil))
        source.endOfStream()
        var frames: [VideoFrame] = []
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline {
            switch input.video.pop(timeout: 0.1) {
            case .element(let f): frames.append(f)
            case .finished: break
            case .empty:
                if case .error(let e) = input.nextEvent(timeout: 0) { Issue.record("stream failed: \(e)"); break }
                continue
            }
            if input.video.isFinished && input.video.count == 0 { break }
        }
        let faults = input.faults
        input.stop()
        #expect(frames.count == 8, "\(frames.count) frames")
        #expect(frames.map { $0.pixels[0] } == [100, 100, 100, 150, 150, 250, 250, 251])
        #expect(faults.emptyFrames == 1 && faults.malformedFrames == 1 && faults.oversizedFrames == 4, "\(faults)")
        #expect(faults.oversized?.width == 120 && faults.oversized?.height == 40)
        #expect(faults.resolutionChanges == 2 && faults.frameRateChanges == 1, "\(faults)")
        // Refused frames kept their place on the timeline: none of them reads as missing.
        #expect(faults.missingFrames == 0, "\(faults)")
    }

    @Test("a gap in the source's timestamps is counted as missing frames; the frames around it pass")
    func missingFrames() throws {
        let caps = "video/x-raw,format=RGB,width=32,height=24,framerate=25/1"
        let input = try InputPipeline(source: SourceSpec(parsing: "appsrc name=feed format=time caps=\(caps)"),
                                      options: InputOptions(live: false))
        guard let feed = input.pipeline.element(named: "feed") else { Issue.record("no appsrc"); return }
        let source = AppSource(element: feed)
        try input.pipeline.play(waitForPreroll: false)
        // Frames 0–4, then 12–14: 7 frames lost on the way.
        for i in [0, 1, 2, 3, 4, 12, 13, 14] {
            #expect(source.push(Self.frame(32, 24, UInt8(i)), pts: MediaTime(nanoseconds: Int64(i) * 40_000_000), duration: nil))
        }
        source.endOfStream()
        var frames = 0
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline, !(input.video.isFinished && input.video.count == 0) {
            if case .element = input.video.pop(timeout: 0.1) { frames += 1 }
        }
        let faults = input.faults
        input.stop()
        #expect(frames == 8)
        #expect(faults.missingFrames == 7 && faults.missingGaps == 1, "\(faults)")
    }

    @Test("the size limit: DCI 8K either way round passes, a pixel more on a side does not")
    func limit() {
        let l = FrameSizeLimit.standard
        #expect(l.admits(width: 8192, height: 4320) && l.admits(width: 4320, height: 8192) && l.admits(width: 1280, height: 720))
        #expect(!l.admits(width: 8193, height: 100) && !l.admits(width: 8192, height: 8192) && !l.admits(width: 0, height: 10))
    }
}
