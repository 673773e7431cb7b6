import Foundation
import Logging
import Media
import Restore
import Testing

@Suite("Face front end under bad input", .serialized)
struct FrontEndBadInputTests {
    @Test("tiny faces (clip scaled to 90×72): no detection, no crash, every frame counted")
    func tinyFaces() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tiny = "filesrc location=\(TestSupport.demoClip) ! decodebin ! videoconvert ! videoscale ! video/x-raw,width=90,height=72"
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", tiny, "-o", dir.appendingPathComponent("t.mkv").path,
                                                         "--video-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("faces: 0 face-frames in 75 frames, 75 frames without a face"), "\(r.stderr)")
    }

    @Test("a face sliding out of the frame: its track ends, crops are padded, the frame stays bit-exact")
    func faceLeavingTheFrame() throws {
        let frames = try TestSupport.decode(TestSupport.demoClip).frames
        var settings = FaceTracker.Settings()
        settings.detectEvery = 2
        let frontEnd = try FaceFrontEnd(tracker: FaceTracker(settings: settings, detector: try FaceDetector()))
        var window = LookaheadWindow(radius: 2)
        var seenFaces = 0, out: [VideoFrame] = [], shiftedFrames: [VideoFrame] = []
        for (i, f) in frames.enumerated() {
            // Slide the picture left by 6 px per frame: the face leaves through the left edge.
            let shift = min(f.width, i * 6)
            var px = [UInt8](repeating: 0, count: f.pixels.count)
            for y in 0..<f.height where shift < f.width {
                let row = y * f.width * 3
                px[row..<(row + (f.width - shift) * 3)] = f.pixels[(row + shift * 3)..<(row + f.width * 3)]
            }
            let moved = VideoFrame(width: f.width, height: f.height, pixels: px, pts: f.pts, sequence: f.sequence, arrivalNanos: 0)
            shiftedFrames.append(moved)
            frontEnd.frameArrived(moved)
            if let w = window.push(moved) { out.append(frontEnd.process(w)) }
        }
        out += window.flush().map { frontEnd.process($0) }
        seenFaces = frontEnd.counters.facesProcessed
        #expect(seenFaces > 10)
        #expect(frontEnd.trackerCounters.tracksEnded >= 1)
        #expect(frontEnd.counters.framesWithoutFace > 10)
        #expect(zip(out, shiftedFrames).allSatisfy { $0.pixels == $1.pixels })
    }

    @Test("corrupt model audio (wrong rate, NaN samples) is counted and logged once; video goes on")
    func corruptAudio() throws {
        let frontEnd = try FaceFrontEnd(tracker: FaceTracker { _, _, _, _ in
            [FaceDetection(box: FaceBox(x: 2, y: 2, width: 4, height: 4), score: 1)]
        })
        var contexts: [AudioContext] = []
        frontEnd.featureSink = { contexts += $0.map(\.audio) }
        frontEnd.consumeModelAudio(AudioChunk(sampleRate: 8000, channels: 1, samples: [Float](repeating: 0.1, count: 800), pts: .zero))
        frontEnd.consumeModelAudio(AudioChunk(sampleRate: 16000, channels: 1, samples: [Float](repeating: .nan, count: 1600),
                                              pts: MediaTime(seconds: 0.1)))
        frontEnd.modelAudioEnded()
        #expect(frontEnd.counters.audioErrors == 2)
        let f = VideoFrame(width: 8, height: 8, pixels: [UInt8](repeating: 7, count: 192), pts: MediaTime(seconds: 0.15),
                           sequence: 0, arrivalNanos: 0)
        frontEnd.frameArrived(f)
        #expect(frontEnd.process(FrameWindow(frames: [f, f, f, f, f], centre: 2)).pixels == f.pixels)
        #expect(contexts.count == 1)
        #expect(contexts.allSatisfy { $0.features.allSatisfy(\.isFinite) })
    }
}
