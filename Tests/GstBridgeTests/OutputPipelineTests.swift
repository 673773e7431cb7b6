import Foundation
import Media
import Testing
@testable import GstBridge

@Suite("Output pipeline")
struct OutputPipelineTests {
    /// A live output given 720p noise (expensive to encode) far faster than real time: its
    /// 3-frame input queue fills, and the frames that find it full are reported as dropped at
    /// the encoder — never as refused, which would mean a broken pipeline.
    @Test("a live encoder that falls behind drops frames and says so")
    func liveOverloadIsEncoderBehind() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fr-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let format = VideoFormat(width: 1280, height: 720, frameRate: FrameRate(30, 1))
        let output = try OutputPipeline(outputs: [.file(path: dir.appendingPathComponent("out.mkv").path)],
                                        video: format, audio: nil, settings: EncoderSettings(live: true))
        try output.start()
        // Four frames of pseudo-random bytes (a 32-bit LCG's high byte: cheap in a debug build).
        var state: UInt32 = 42
        let noise = (0..<4).map { _ in
            [UInt8](unsafeUninitializedCapacity: 1280 * 720 * 3) { buffer, count in
                for i in 0..<buffer.count {
                    state = state &* 1_664_525 &+ 1_013_904_223
                    buffer[i] = UInt8(truncatingIfNeeded: state >> 24)
                }
                count = buffer.count
            }
        }
        var results: [OutputPipeline.FrameSendResult] = []
        for i in 0..<60 {
            let frame = VideoFrame(width: 1280, height: 720, pixels: noise[i % 4],
                                   pts: MediaTime(nanoseconds: Int64(i) * 33_333_333), duration: nil,
                                   sequence: i, arrivalNanos: MonotonicClock.now())
            results.append(output.send(frame))
        }
        output.abort()
        let sent = results.filter { $0 == .sent }.count
        let behind = results.filter { $0 == .encoderBehind }.count
        #expect(sent + behind == results.count, "every frame is sent or dropped at the encoder: \(results)")
        #expect(sent >= 3, "the queue takes frames until it is full")
        #expect(behind > 0, "60 noisy 720p frames pushed at once must outrun the encoder")
        // A stopped pipeline refuses: that is not an overload.
        let late = VideoFrame(width: 1280, height: 720, pixels: noise[0], pts: MediaTime(nanoseconds: 61 * 33_333_333),
                              duration: nil, sequence: 61, arrivalNanos: MonotonicClock.now())
        #expect(output.send(late) == .refused)
    }

    /// A damaged file's decoder can hand over frames whose time stands still or steps back.
    @Test("a file output re-stamps a frame that is not newer, one frame after the last; a live one drops it")
    func notNewerFrames() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fr-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let format = VideoFormat(width: 64, height: 48, frameRate: FrameRate(25, 1))
        let ms = 1_000_000 as Int64
        func frame(_ t: Int64) -> VideoFrame {
            VideoFrame(width: 64, height: 48, pixels: [UInt8](repeating: 90, count: 64 * 48 * 3),
                       pts: MediaTime(nanoseconds: t * ms), duration: nil, sequence: 0, arrivalNanos: MonotonicClock.now())
        }
        let path = dir.appendingPathComponent("out.mkv").path
        let file = try OutputPipeline(outputs: [.file(path: path)], video: format, audio: nil,
                                      settings: EncoderSettings(videoCodec: .raw, live: false))
        try file.start()
        // A timeline that stands still (80, 80, 80) or steps back (60): one frame after the last.
        // A time that moves on but is still behind the repaired ones (100, then 140): half a
        // frame after the last, until the source's own times are ahead again (280).
        let results = [0, 40, 80, 80, 80, 60, 100, 140, 200, 280].map { file.send(frame($0)) }
        try file.finish()
        #expect(results == [.sent, .sent, .sent, .restamped(pts: 120 * ms, was: 80 * ms), .restamped(pts: 160 * ms, was: 80 * ms),
                            .restamped(pts: 200 * ms, was: 60 * ms), .restamped(pts: 220 * ms, was: 100 * ms),
                            .restamped(pts: 240 * ms, was: 140 * ms), .restamped(pts: 260 * ms, was: 200 * ms), .sent],
                "\(results)")
        // A single duplicated time costs the output no lasting shift: the frame after it is
        // half a frame late, the one after that on time.
        let path2 = dir.appendingPathComponent("dup.mkv").path
        let dup = try OutputPipeline(outputs: [.file(path: path2)], video: format, audio: nil,
                                     settings: EncoderSettings(videoCodec: .raw, live: false))
        try dup.start()
        let dupResults = [0, 40, 40, 80, 120].map { dup.send(frame($0)) }
        try dup.finish()
        #expect(dupResults == [.sent, .sent, .restamped(pts: 80 * ms, was: 40 * ms), .restamped(pts: 100 * ms, was: 80 * ms), .sent],
                "\(dupResults)")
        #expect(results.allSatisfy { $0.delivered })

        let live = try OutputPipeline(outputs: [.file(path: dir.appendingPathComponent("live.mkv").path)], video: format,
                                      audio: nil, settings: EncoderSettings(videoCodec: .raw, live: true))
        try live.start()
        let first = live.send(frame(0))
        let again = live.send(frame(0))
        live.abort()
        #expect(first == .sent)
        guard case .notNewer = again else { Issue.record("a live output sent a frame that is not newer: \(again)"); return }
        #expect(!again.delivered)
    }
}
