import Media
import Restore
import Testing

/// A textured square on grey that moves a few pixels every frame: something for dlib's
/// correlation tracker to follow between detections.
private struct MovingPatch {
    let width = 320, height = 240, side = 80

    func position(_ i: Int) -> (x: Int, y: Int) { (40 + 4 * i, 30 + (i % 7) * 2) }

    func frame(_ i: Int, second: Bool = false) -> VideoFrame {
        var px = [UInt8](repeating: 110, count: width * height * 3)
        let patches = [position(i)] + (second ? [(x: 230, y: 150)] : [])
        for p in patches {
            for y in 0..<side where p.y + y < height {
                for x in 0..<side where p.x + x < width {
                    let v = UInt8(truncatingIfNeeded: ((x / 4) &* 73) ^ ((y / 4) &* 151))
                    let o = ((p.y + y) * width + p.x + x) * 3
                    px[o] = v
                    px[o + 1] = v &+ 40
                    px[o + 2] = 255 &- v
                }
            }
        }
        return VideoFrame(width: width, height: height, pixels: px,
                          pts: MediaTime(nanoseconds: Int64(i) * 33_333_333), sequence: i, arrivalNanos: 0)
    }
}

/// The fake detector: the first patch's corner is the first pixel that is not background grey
/// (its top-left pixel is not grey), reported 3 px off so that a detection and the follower
/// disagree; a second patch, when drawn, is reported where it is drawn.
private func findPatches(_ rgb: [UInt8], width: Int) -> [FaceDetection] {
    guard let first = stride(from: 0, to: rgb.count, by: 3).first(where: { rgb[$0] != 110 }) else { return [] }
    let x = first / 3 % width, y = first / 3 / width
    var found = [FaceDetection(box: FaceBox(x: Double(x + 3), y: Double(y - 3), width: 80, height: 80), score: 1)]
    if rgb[(150 * width + 230) * 3] != 110 { found.append(FaceDetection(box: FaceBox(x: 230, y: 150, width: 80, height: 80), score: 0.5)) }
    return found
}

/// Runs `frames` frames through an on-time tracker and a deferring one (the analysis thread's
/// order: update, hand over, then the deferred round; or, with `callRunDeferred` false, the next
/// update runs it). From frame `secondFrom` on a second face is in the picture.
private func runBoth(frames: Int, secondFrom: Int = .max, callRunDeferred: Bool = true)
    -> (onTime: [[FaceTrack]], deferred: [[FaceTrack]], counters: (FaceTracker.Counters, FaceTracker.Counters)) {
    let scene = MovingPatch()
    var settings = FaceTracker.Settings()
    settings.detectEvery = 5
    func makeTracker() -> FaceTracker {
        FaceTracker(settings: settings, makeFollower: { try CorrelationFollower() }) { rgb, width, _, _ in
            findPatches(rgb, width: width)
        }
    }
    let onTime = makeTracker(), deferring = makeTracker()
    var a: [[FaceTrack]] = [], b: [[FaceTrack]] = []
    for i in 0..<frames {
        let frame = scene.frame(i, second: i >= secondFrom)
        a.append(onTime.update(frame))
        b.append(deferring.update(frame, deferringDetection: true))
        if callRunDeferred { deferring.runDeferredDetection() }
    }
    deferring.runDeferredDetection()
    return (a, b, (onTime.counters, deferring.counters))
}

@Suite("Face tracker: detection deferred past the hand-over")
struct DeferredDetectionTests {
    @Test("only the deferred frames' boxes differ (the followers'); every other frame's tracks equal the on-time tracker's")
    func onlyDeferredFramesDiffer() throws {
        let (onTime, deferred, counters) = runBoth(frames: 31)
        for i in 0..<31 {
            if i > 0 && i % 5 == 0 {
                // A due round on a tracked face: the follower's box goes out now, the detection's
                // correction with the next frame.
                let a = try #require(onTime[i].first), b = try #require(deferred[i].first)
                #expect(a.detectedNow && !b.detectedNow, "frame \(i)")
                #expect(a.box != b.box, "frame \(i): the detection (3 px off) and the follower disagree")
                #expect(a.id == b.id)
            } else {
                #expect(onTime[i] == deferred[i], "frame \(i)")
            }
        }
        #expect(counters.0.detectionsRun == counters.1.detectionsRun && counters.0.detectionsRun == 7)
        #expect(counters.0.tracksStarted == 1 && counters.1.tracksStarted == 1)
    }

    @Test("a face the deferred round finds is tracked from the next frame on, like the on-time tracker's")
    func newFaceOneFrameLater() throws {
        let (onTime, deferred, _) = runBoth(frames: 13, secondFrom: 10)
        #expect(onTime[10].count == 2 && deferred[10].count == 1)
        #expect(onTime[11].count == 2 && onTime[11] == deferred[11])
        #expect(onTime[12] == deferred[12])
    }

    @Test("a round still pending when the next frame comes runs first, with the same result")
    func pendingRoundRunsOnNextUpdate() {
        let explicit = runBoth(frames: 16), implicit = runBoth(frames: 16, callRunDeferred: false)
        #expect(explicit.deferred == implicit.deferred)
        #expect(explicit.counters.1.detectionsRun == implicit.counters.1.detectionsRun)
    }

    @Test("without deferring, update runs the round itself (files)")
    func notDeferringIsOnTime() {
        let (onTime, _, _) = runBoth(frames: 11)
        #expect(onTime[5].first?.detectedNow == true && onTime[10].first?.detectedNow == true)
    }
}
