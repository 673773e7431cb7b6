import Media
import Restore
import Testing

private func gradientFrame(width: Int, height: Int) -> VideoFrame {
    var px = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            let o = (y * width + x) * 3
            px[o] = UInt8((x * 255) / max(1, width - 1))
            px[o + 1] = UInt8((y * 255) / max(1, height - 1))
            px[o + 2] = UInt8(((x ^ y) & 0xFF))
        }
    }
    return VideoFrame(width: width, height: height, pixels: px, pts: .zero, sequence: 0, arrivalNanos: 0)
}

@Suite("Non-aligned crops and feathered paste-back")
struct CropPasteTests {
    let crop = FaceCrop()
    let paste = FeatheredPaste()

    @Test("the crop region is square, expanded around the box and lifted towards the hair")
    func region() {
        let r = crop.region(for: FaceBox(x: 100, y: 100, width: 80, height: 80))
        #expect(r.width == r.height && abs(r.width - 144) < 1e-9)
        #expect(abs(r.centerX - 140) < 1e-9 && r.centerY < 140)
    }

    @Test("a crop at scale 1 with integer placement copies pixels exactly")
    func exactCrop() {
        let f = gradientFrame(width: 400, height: 300)
        let c = crop.sample(f, region: FaceBox(x: 20, y: 10, width: 256, height: 256))
        for (v, u) in [(0, 0), (100, 37), (255, 255)] {
            for ch in 0..<3 {
                #expect(c[(v * 256 + u) * 3 + ch] == f.pixels[((10 + v) * 400 + 20 + u) * 3 + ch])
            }
        }
    }

    @Test("pasting an unchanged crop leaves the frame bit-exact, also at the border and with overlaps")
    func unchangedPasteIsIdentity() {
        let f = gradientFrame(width: 320, height: 240)
        var out = f
        let regions = [FaceBox(x: -40, y: -30, width: 150, height: 150),     // off the top-left corner
                       FaceBox(x: 60, y: 40, width: 113.7, height: 113.7),   // overlaps the first
                       FaceBox(x: 250, y: 180, width: 97, height: 97)]       // off the bottom-right
        let patches = regions.map { r -> PastePatch in
            let c = crop.sample(f, region: r)
            return PastePatch(region: r, original: c, restored: c)
        }
        paste.paste(patches, into: &out)
        #expect(out.pixels == f.pixels)
    }

    @Test("a change inside the face is applied there and fades out without a step at the square's edge")
    func changeIsFeathered() {
        let f = VideoFrame(width: 300, height: 300, pixels: [UInt8](repeating: 100, count: 300 * 300 * 3), pts: .zero,
                           sequence: 0, arrivalNanos: 0)
        var out = f
        let r = FaceBox(x: 50, y: 50, width: 200, height: 200)
        let c = crop.sample(f, region: r)
        let brighter = c.map { _ in UInt8(160) }
        paste.paste([PastePatch(region: r, original: c, restored: brighter)], into: &out)
        func px(_ x: Int, _ y: Int) -> Int { Int(out.pixels[(y * 300 + x) * 3]) }
        #expect(px(150, 150) == 160)                 // centre fully replaced
        #expect(px(10, 150) == 100)                  // outside untouched
        // Across the region's edge, neighbouring pixels never jump by more than a few levels.
        var maxStep = 0
        for x in 40..<120 { maxStep = max(maxStep, abs(px(x + 1, 150) - px(x, 150))) }
        #expect(maxStep <= 4)
    }

    @Test("overlapping changes are not applied twice")
    func overlapNotDoubled() {
        let f = VideoFrame(width: 200, height: 200, pixels: [UInt8](repeating: 50, count: 200 * 200 * 3), pts: .zero,
                           sequence: 0, arrivalNanos: 0)
        var out = f
        let a = FaceBox(x: 20, y: 20, width: 120, height: 120), b = FaceBox(x: 60, y: 60, width: 120, height: 120)
        let patches = [a, b].map { r -> PastePatch in
            let c = crop.sample(f, region: r)
            return PastePatch(region: r, original: c, restored: c.map { _ in 90 })
        }
        paste.paste(patches, into: &out)
        #expect(out.pixels[(100 * 200 + 100) * 3] == 90)
    }
}

@Suite("Face tracker")
struct FaceTrackerTests {
    private func frame(_ i: Int) -> VideoFrame {
        VideoFrame(width: 640, height: 360, pixels: [UInt8](repeating: 0, count: 640 * 360 * 3),
                   pts: MediaTime(nanoseconds: Int64(i) * 40_000_000), sequence: i, arrivalNanos: 0)
    }

    @Test("ids are stable, boxes follow a moving face, and the detector runs every N frames")
    func stableIDs() {
        var calls = 0
        var settings = FaceTracker.Settings()
        settings.detectEvery = 3
        // This fake detector ignores the image it is given, so every round scans the whole frame.
        settings.fullScanEvery = 1
        var t = 0
        let tracker = FaceTracker(settings: settings) { _, _, _, _ in
            calls += 1
            return [FaceDetection(box: FaceBox(x: 100 + Double(t) * 2, y: 100, width: 90, height: 90), score: 1),
                    FaceDetection(box: FaceBox(x: 400, y: 120, width: 80, height: 80), score: 0.5)]
        }
        var ids: Set<Int> = []
        for i in 0..<30 {
            t = i
            let tracks = tracker.update(frame(i))
            #expect(tracks.count == 2)
            ids.formUnion(tracks.map(\.id))
        }
        #expect(ids == [1, 2])
        #expect(calls == 10)
        let moving = tracker.tracks.first { $0.id == 1 }!
        #expect(abs(moving.box.centerX - (145 + 29 * 2)) < 12)
    }

    @Test("a face that leaves ends its track; a new face gets a new id; max_faces is respected")
    func lifecycle() {
        var settings = FaceTracker.Settings()
        settings.detectEvery = 1
        settings.fullScanEvery = 1
        settings.maxFaces = 2
        var present = true
        let tracker = FaceTracker(settings: settings) { _, _, _, _ in
            present ? [FaceDetection(box: FaceBox(x: 10, y: 10, width: 80, height: 80), score: 2),
                       FaceDetection(box: FaceBox(x: 200, y: 10, width: 80, height: 80), score: 1),
                       FaceDetection(box: FaceBox(x: 400, y: 10, width: 80, height: 80), score: 0.5)] : []
        }
        #expect(tracker.update(frame(0)).map(\.id) == [1, 2])
        present = false
        for i in 1...3 { _ = tracker.update(frame(i)) }
        #expect(tracker.tracks.isEmpty)
        #expect(tracker.counters.tracksEnded == 2 && tracker.counters.framesWithoutFace >= 1)
        present = true
        #expect(tracker.update(frame(4)).map(\.id) == [3, 4])
    }

    @Test("a failing detector is counted and does not crash")
    func detectorError() {
        struct Boom: Error {}
        let tracker = FaceTracker { _, _, _, _ in throw Boom() }
        #expect(tracker.update(frame(0)).isEmpty)
        #expect(tracker.counters.detectorErrors == 1)
    }
}
