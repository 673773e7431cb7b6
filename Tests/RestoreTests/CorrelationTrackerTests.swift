import Media
import Restore
import Testing

/// A flat grey image with a square patch of deterministic random `block`×`block`-pixel blocks
/// (colour blocks for RGB) whose top-left corner is at (x, y): texture for the correlation filter.
private struct PatchScene {
    var width = 320, height = 240, side = 80
    var channels = 3
    var block = 4

    func image(patchX: Int, patchY: Int, showPatch: Bool = true) -> [UInt8] {
        var px = [UInt8](repeating: 110, count: width * height * channels)
        guard showPatch else { return px }
        for y in 0..<side {
            for x in 0..<side {
                let ix = patchX + x, iy = patchY + y
                guard ix >= 0, iy >= 0, ix < width, iy < height else { continue }
                for c in 0..<channels {
                    px[(iy * width + ix) * channels + c] = Self.value(x / block, y / block, c)
                }
            }
        }
        return px
    }

    /// A fixed pseudo-random value per block and channel (a 64-bit mix of the coordinates).
    static func value(_ bx: Int, _ by: Int, _ c: Int) -> UInt8 {
        var h = UInt64(bx) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(by) &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(c) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return UInt8(truncatingIfNeeded: h)
    }

    func box(_ x: Int, _ y: Int) -> FaceBox {
        FaceBox(x: Double(x), y: Double(y), width: Double(side), height: Double(side))
    }

    func frame(patchX: Int, patchY: Int, index: Int) -> VideoFrame {
        VideoFrame(width: width, height: height, pixels: image(patchX: patchX, patchY: patchY),
                   pts: MediaTime(nanoseconds: Int64(index) * 40_000_000), sequence: index, arrivalNanos: 0)
    }
}

/// Per-frame moves (dx, dy) in pixels: both directions, up to 7 px, changing every frame.
private let moves = [(3, 1), (4, -2), (-2, 5), (6, 3), (-5, -4), (0, 6), (7, 0), (-3, -3), (2, 2), (5, -5), (-6, 1), (1, -6)]

private func isInvalidArgument(_ e: VisionError?) -> Bool {
    if case .invalidArgument? = e { return true }
    return false
}

private func isBadImage(_ e: VisionError?) -> Bool {
    if case .badImage? = e { return true }
    return false
}

@Suite("Correlation tracker (dlib)")
struct CorrelationTrackerTests {
    /// dlib's 64 filter samples the 112 px search area (1.4 × the 80 px box) every 1.75 px; the
    /// cheaper 32 one every 3.5 px, which is also what it is precise to.
    @Test("a textured patch moved by known offsets is followed within 2 px (4 px with the 32 filter), confidently",
          arguments: [(64, 3, 2.0), (64, 1, 2.0), (32, 3, 4.0), (32, 1, 4.0)])
    func followsPatch(filterSize: Int, channels: Int, tolerance: Double) throws {
        let scene = PatchScene(channels: channels, block: filterSize == 64 ? 4 : 8)
        let tracker = try CorrelationTracker(filterSize: filterSize)
        var x = 100, y = 80
        try tracker.start(pixels: scene.image(patchX: x, patchY: y), width: scene.width, height: scene.height,
                          channels: channels, box: scene.box(x, y))
        #expect(tracker.isStarted)
        for (dx, dy) in moves {
            x += dx
            y += dy
            let o = try tracker.update(pixels: scene.image(patchX: x, patchY: y), width: scene.width, height: scene.height,
                                       channels: channels, estimateScale: false)
            let truth = scene.box(x, y)
            #expect(abs(o.box.centerX - truth.centerX) <= tolerance && abs(o.box.centerY - truth.centerY) <= tolerance,
                    "\(o.box) vs \(truth)")
            #expect(abs(o.box.width - truth.width) < 0.5, "update_noscale keeps the size")
            #expect(o.confidence >= CorrelationFollower.defaultMinimumPSR, "PSR \(o.confidence)")
        }
    }

    @Test("with the scale filter the box stays on the patch and near its size")
    func followsWithScale() throws {
        let scene = PatchScene()
        let tracker = try CorrelationTracker()
        var x = 100, y = 80
        try tracker.start(pixels: scene.image(patchX: x, patchY: y), width: scene.width, height: scene.height, box: scene.box(x, y))
        for (dx, dy) in moves {
            x += dx
            y += dy
            let o = try tracker.update(pixels: scene.image(patchX: x, patchY: y), width: scene.width, height: scene.height)
            let truth = scene.box(x, y)
            #expect(abs(o.box.centerX - truth.centerX) <= 2 && abs(o.box.centerY - truth.centerY) <= 2, "\(o.box) vs \(truth)")
            #expect(abs(o.box.width / truth.width - 1) < 0.1, "\(o.box)")
        }
    }

    @Test("a guess moves the search: a jump far beyond the search area is found where the guess says")
    func guess() throws {
        let scene = PatchScene()
        let tracker = try CorrelationTracker()
        try tracker.start(pixels: scene.image(patchX: 20, patchY: 20), width: scene.width, height: scene.height, box: scene.box(20, 20))
        let o = try tracker.update(pixels: scene.image(patchX: 210, patchY: 140), width: scene.width, height: scene.height,
                                   guess: scene.box(205, 143), estimateScale: false)
        #expect(abs(o.box.x - 210) <= 2 && abs(o.box.y - 140) <= 2, "\(o.box)")
    }

    @Test("when the patch vanishes the confidence falls below the follower's threshold", arguments: [64, 32])
    func confidenceDrops(filterSize: Int) throws {
        let scene = PatchScene()
        let follower = try CorrelationFollower(filterSize: filterSize)
        try follower.start(rgb: scene.image(patchX: 100, patchY: 80), width: scene.width, height: scene.height, box: scene.box(100, 80))
        #expect(try follower.follow(rgb: scene.image(patchX: 103, patchY: 81), width: scene.width, height: scene.height) != nil)
        let gone = try follower.follow(rgb: scene.image(patchX: 103, patchY: 81, showPatch: false), width: scene.width, height: scene.height)
        #expect(gone == nil, "PSR \(follower.lastConfidence ?? -1)")
        #expect((follower.lastConfidence ?? 99) < CorrelationFollower.defaultMinimumPSR)
    }

    @Test("an empty, non-finite or outside box is a typed error, and the tracker keeps its state")
    func badBoxes() throws {
        let scene = PatchScene()
        let image = scene.image(patchX: 100, patchY: 80)
        let tracker = try CorrelationTracker()
        let bad = [FaceBox(x: 10, y: 10, width: 0, height: 40), FaceBox(x: 10, y: 10, width: 40, height: -5),
                   FaceBox(x: .nan, y: 10, width: 40, height: 40), FaceBox(x: 10, y: .infinity, width: 40, height: 40),
                   FaceBox(x: 1e12, y: 10, width: 40, height: 40), FaceBox(x: 400, y: 10, width: 40, height: 40),
                   FaceBox(x: -100, y: -100, width: 50, height: 50)]
        for box in bad {
            let e = #expect(throws: VisionError.self) {
                try tracker.start(pixels: image, width: scene.width, height: scene.height, box: box)
            }
            #expect(isInvalidArgument(e), "\(box): \(String(describing: e))")
            #expect(!tracker.isStarted)
        }
        // A rejected restart leaves a running track as it was.
        try tracker.start(pixels: image, width: scene.width, height: scene.height, box: scene.box(100, 80))
        #expect(throws: VisionError.self) {
            try tracker.start(pixels: image, width: scene.width, height: scene.height, box: bad[0])
        }
        #expect(tracker.isStarted)
        let o = try tracker.update(pixels: scene.image(patchX: 104, patchY: 78), width: scene.width, height: scene.height)
        #expect(abs(o.box.x - 104) <= 2 && abs(o.box.y - 78) <= 2, "\(o.box)")
        // A bad guess is refused the same way.
        let e = #expect(throws: VisionError.self) {
            try tracker.update(pixels: image, width: scene.width, height: scene.height, guess: bad[2])
        }
        #expect(isInvalidArgument(e))
    }

    @Test("a buffer that does not match its size, or a frame unlike the start's, is a typed error")
    func badBuffers() throws {
        let scene = PatchScene()
        let image = scene.image(patchX: 100, patchY: 80)
        let tracker = try CorrelationTracker()
        let box = scene.box(100, 80)
        for (pixels, w, h, c) in [(Array(image.dropLast()), scene.width, scene.height, 3), ([], scene.width, scene.height, 3),
                                  (image, scene.width + 1, scene.height, 3), (image, 0, scene.height, 3), (image, -320, -240, 3),
                                  (image, scene.width, scene.height, 1)] {
            let e = #expect(throws: VisionError.self) {
                try tracker.start(pixels: pixels, width: w, height: h, channels: c, box: box)
            }
            #expect(isBadImage(e), "\(pixels.count) bytes as \(w)×\(h)×\(c): \(String(describing: e))")
        }
        // Channel counts other than 1 and 3 reach the shim, which refuses them.
        let twoChannels = [UInt8](repeating: 0, count: scene.width * scene.height * 2)
        let e2 = #expect(throws: VisionError.self) {
            try tracker.start(pixels: twoChannels, width: scene.width, height: scene.height, channels: 2, box: box)
        }
        #expect(isInvalidArgument(e2))
        // Updating before a start.
        let e3 = #expect(throws: VisionError.self) {
            try tracker.update(pixels: image, width: scene.width, height: scene.height)
        }
        #expect(isInvalidArgument(e3))
        // Started on 320×240 RGB: a 160×120 frame or a grey one of the same size is refused.
        try tracker.start(pixels: image, width: scene.width, height: scene.height, box: box)
        let small = PatchScene(width: 160, height: 120).image(patchX: 10, patchY: 10)
        let e4 = #expect(throws: VisionError.self) { try tracker.update(pixels: small, width: 160, height: 120) }
        #expect(isInvalidArgument(e4))
        let grey = PatchScene(channels: 1).image(patchX: 100, patchY: 80)
        let e5 = #expect(throws: VisionError.self) {
            try tracker.update(pixels: grey, width: scene.width, height: scene.height, channels: 1)
        }
        #expect(isInvalidArgument(e5))
        // Still usable afterwards.
        #expect(try tracker.update(pixels: image, width: scene.width, height: scene.height).confidence > 7)
    }

    @Test("filter sizes and scale levels must be powers of two in dlib's range")
    func badParameters() {
        for (f, s) in [(48, 32), (8, 32), (512, 32), (64, 1), (64, 256), (64, 0), (0, 32), (-64, 32)] {
            let e = #expect(throws: VisionError.self) { _ = try CorrelationTracker(filterSize: f, scaleLevels: s) }
            #expect(isInvalidArgument(e), "\(f), \(s)")
        }
    }
}

/// A follower that is never sure, or that fails, counting its calls.
private final class FakeFollower: TrackFollower {
    struct Failure: Error {}
    let fails: Bool
    var starts = 0, follows = 0
    init(fails: Bool) { self.fails = fails }
    func start(rgb: [UInt8], width: Int, height: Int, box: FaceBox) throws { starts += 1 }
    func follow(rgb: [UInt8], width: Int, height: Int) throws -> FaceBox? {
        follows += 1
        if fails { throw Failure() }
        return nil
    }
}

@Suite("Face tracker with a follower")
struct FaceTrackerFollowerTests {
    /// The patch moves 5 px right and 2 px down per frame for 12 frames, then rests 15 frames;
    /// the fake detector sees it in frame 0 only (then never runs again).
    private func run(scene: PatchScene, detectionWidth: Int, makeFollower: (() throws -> any TrackFollower)?)
        -> (track: FaceTrack?, truth: FaceBox, counters: FaceTracker.Counters) {
        var settings = FaceTracker.Settings()
        settings.detectEvery = 1000
        settings.detectionWidth = detectionWidth
        let factor = FrameDownscaler.factor(width: scene.width, targetWidth: detectionWidth)
        var x = 60, y = 50
        let tracker = FaceTracker(settings: settings, makeFollower: makeFollower) { _, _, _, _ in
            [FaceDetection(box: scene.box(x, y).scaled(by: factor), score: 1)]
        }
        for i in 0..<27 {
            if i > 0 && i <= 12 { x += 5; y += 2 }
            _ = tracker.update(scene.frame(patchX: x, patchY: y, index: i))
        }
        return (tracker.tracks.first, scene.box(x, y), tracker.counters)
    }

    @Test("between detections the correlation tracker's box drives the track (also on a downscaled copy)",
          arguments: [(320, 240, 80, 640), (960, 540, 160, 480)])
    func follows(width: Int, height: Int, side: Int, detectionWidth: Int) throws {
        let scene = PatchScene(width: width, height: height, side: side)
        let followed = run(scene: scene, detectionWidth: detectionWidth, makeFollower: { try CorrelationFollower() })
        let track = try #require(followed.track)
        #expect(track.id == 1 && !track.detectedNow)
        // The patch rests for the last 15 frames: the smoothed box settles on it.
        #expect(abs(track.box.centerX - followed.truth.centerX) <= 3 && abs(track.box.centerY - followed.truth.centerY) <= 3,
                "\(track.box) vs \(followed.truth)")
        #expect(abs(track.box.width - followed.truth.width) <= 3)
        #expect(followed.counters.followed == 26 && followed.counters.followerUnsure == 0 && followed.counters.followerErrors == 0)
        // Without a follower the track cannot know the patch moved (its detected velocity is 0).
        let predicted = run(scene: scene, detectionWidth: detectionWidth, makeFollower: nil)
        #expect(abs((predicted.track?.box.centerX ?? 0) - followed.truth.centerX) > 50)
        #expect(predicted.counters.followed == 0)
    }

    @Test("an unsure follower falls back to prediction for that frame; a failing one is dropped until the next detection")
    func unsureAndFailing() {
        let scene = PatchScene()
        var unsure: [FakeFollower] = []
        let a = run(scene: scene, detectionWidth: 640, makeFollower: { let f = FakeFollower(fails: false); unsure.append(f); return f })
        let b = run(scene: scene, detectionWidth: 640, makeFollower: nil)
        #expect(unsure.count == 1 && unsure[0].starts == 1 && unsure[0].follows == 26)
        #expect(a.counters.followerUnsure == 26 && a.counters.followed == 0)
        #expect(a.track?.box == b.track?.box, "prediction exactly as without a follower")

        var failing: [FakeFollower] = []
        var settings = FaceTracker.Settings()
        settings.detectEvery = 5
        settings.fullScanEvery = 1  // the fake detector ignores the image it is given
        let tracker = FaceTracker(settings: settings, makeFollower: { let f = FakeFollower(fails: true); failing.append(f); return f }) { _, _, _, _ in
            [FaceDetection(box: scene.box(60, 50), score: 1)]
        }
        for i in 0..<10 { #expect(tracker.update(scene.frame(patchX: 60, patchY: 50, index: i)).count == 1) }
        // Frames 1 and 6 fail (the follower is then dropped); the detection at frame 5 makes a new one.
        #expect(tracker.counters.followerErrors == 2)
        #expect(failing.count == 2 && failing.allSatisfy { $0.starts == 1 && $0.follows == 1 })
    }
}
