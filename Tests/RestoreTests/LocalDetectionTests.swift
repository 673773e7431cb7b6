import Media
@testable import Restore
import Testing

/// Between whole-frame scans the tracker's detection rounds look only around the faces it follows.
@Suite("Detection around tracked faces")
struct LocalDetectionTests {
    /// A 640×360 black frame with a red 100² square moving right 3 px a frame, and from frame 12 a
    /// still green 90² square.
    private func frame(_ i: Int) -> VideoFrame {
        var px = [UInt8](repeating: 0, count: 640 * 360 * 3)
        func fill(x: Int, y: Int, side: Int, _ rgb: (UInt8, UInt8, UInt8)) {
            for yy in y..<(y + side) {
                for xx in x..<(x + side) {
                    let o = (yy * 640 + xx) * 3
                    (px[o], px[o + 1], px[o + 2]) = rgb
                }
            }
        }
        fill(x: 60 + 3 * i, y: 120, side: 100, (255, 0, 0))
        if i >= 12 { fill(x: 480, y: 200, side: 90, (0, 255, 0)) }
        return VideoFrame(width: 640, height: 360, pixels: px, pts: MediaTime(nanoseconds: Int64(i) * 33_333_333),
                          sequence: i, arrivalNanos: 0)
    }

    /// A detector that finds the red and the green square in whatever image it is handed, in that
    /// image's pixels.
    private static func squares(_ rgb: [UInt8], _ width: Int, _ height: Int) -> [FaceDetection] {
        var found: [FaceDetection] = []
        for (channel, score) in [(0, 2.0), (1, 1.0)] {
            var minX = width, minY = height, maxX = -1, maxY = -1
            for y in 0..<height {
                for x in 0..<width where rgb[(y * width + x) * 3 + channel] == 255 {
                    minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                }
            }
            if maxX >= 0 {
                found.append(FaceDetection(box: FaceBox(x: Double(minX), y: Double(minY), width: Double(maxX - minX + 1),
                                                        height: Double(maxY - minY + 1)), score: score))
            }
        }
        return found
    }

    @Test("whole-frame scans every full_scan_every frames, windows around the faces in between; a new face waits for the next scan")
    func windowsBetweenScans() {
        var settings = FaceTracker.Settings()
        settings.detectEvery = 3
        settings.fullScanEvery = 15
        var sizes: [Int: [(Int, Int)]] = [:]
        var index = 0
        let tracker = FaceTracker(settings: settings) { rgb, w, h, _ in
            sizes[index, default: []].append((w, h))
            return Self.squares(rgb, w, h)
        }
        var counts: [Int] = []
        for i in 0..<40 {
            index = i
            counts.append(tracker.update(frame(i)).count)
        }
        // Rounds at 0, 3, …, 39; whole frames at 0, 15 and 30.
        #expect(tracker.counters.detectionsRun == 14)
        #expect(tracker.counters.fullScans == 3)
        for (i, calls) in sizes {
            let whole = calls.contains { $0 == (640, 360) }
            #expect(whole == [0, 15, 30].contains(i), "frame \(i): \(calls)")
            // Around the red square the window is twice its side, plus up to a grid step where its
            // origin snapped down (clipped at the frame's edge).
            if !whole { #expect(calls.allSatisfy { $0.0 <= 201 + LocalDetection.grid && $0.1 <= 201 + LocalDetection.grid }, "frame \(i): \(calls)") }
        }
        // The green square appears at frame 12, outside the red one's window: found at frame 15.
        #expect(counts[14] == 1 && counts[15] == 2)
        let red = tracker.tracks.first { $0.id == 1 }!
        #expect(abs(red.box.centerX - (110 + 3 * 39)) < 6, "\(red.box)")
        #expect(tracker.tracks.map(\.id) == [1, 2])
    }

    @Test("windows are clipped to the image, and a face seen from two windows is kept once, the stronger")
    func clippingAndMerge() {
        let w = LocalDetection.window(around: FaceBox(x: -20, y: 300, width: 60, height: 60), imageWidth: 640, imageHeight: 360)
        // Side 160 around (10, 330): x from -70 (clipped to 0), y from 250 snapped down to 240.
        #expect(w == LocalDetection.Window(x: 0, y: 240, width: 90, height: 120))
        let v = LocalDetection.window(around: FaceBox(x: 300, y: 100, width: 100, height: 100), imageWidth: 640, imageHeight: 360)
        #expect(v == LocalDetection.Window(x: 240, y: 48, width: 210, height: 202))
        #expect(LocalDetection.window(around: FaceBox(x: 900, y: 100, width: 50, height: 50), imageWidth: 640, imageHeight: 360) == nil)
        let a = FaceDetection(box: FaceBox(x: 100, y: 100, width: 80, height: 80), score: 1)
        let b = FaceDetection(box: FaceBox(x: 104, y: 102, width: 80, height: 80), score: 3)
        let c = FaceDetection(box: FaceBox(x: 300, y: 100, width: 80, height: 80), score: 2)
        #expect(LocalDetection.merge([a, b, c]) == [b, c])
        var image = [UInt8](repeating: 0, count: 8 * 4 * 3)
        for i in image.indices { image[i] = UInt8(i % 251) }
        let part = LocalDetection.crop(image, width: 8, LocalDetection.Window(x: 2, y: 1, width: 3, height: 2))
        #expect(part == Array(image[((1 * 8 + 2) * 3)..<((1 * 8 + 5) * 3)]) + Array(image[((2 * 8 + 2) * 3)..<((2 * 8 + 5) * 3)]))
    }
}
