import Media

/// Draws tracks onto a frame so that a person can check detection: the face box, the crop
/// region and the track id. A 5×7 bitmap font for digits keeps this free of any font library.
public struct TrackOverlay: Sendable {
    public var boxColor: (UInt8, UInt8, UInt8) = (40, 230, 60)
    public var regionColor: (UInt8, UInt8, UInt8) = (250, 210, 40)
    public var crop = FaceCrop()

    public init() {}

    public func draw(_ tracks: [FaceTrack], on frame: inout VideoFrame) {
        for t in tracks {
            rectangle(crop.region(for: t.box), thickness: 1, color: regionColor, on: &frame)
            rectangle(t.box, thickness: 2, color: boxColor, on: &frame)
            let scale = max(2, Int(t.box.width / 60))
            text("\(t.id)", x: Int(t.box.x), y: Int(t.box.y) - 8 * scale - 2, scale: scale, color: boxColor, on: &frame)
        }
    }

    func rectangle(_ b: FaceBox, thickness: Int, color: (UInt8, UInt8, UInt8), on f: inout VideoFrame) {
        let x0 = Int(b.x.rounded()), y0 = Int(b.y.rounded())
        let x1 = Int((b.x + b.width).rounded()) - 1, y1 = Int((b.y + b.height).rounded()) - 1
        for k in 0..<thickness {
            for x in x0...max(x0, x1) { put(x, y0 + k, color, &f); put(x, y1 - k, color, &f) }
            for y in y0...max(y0, y1) { put(x0 + k, y, color, &f); put(x1 - k, y, color, &f) }
        }
    }

    func text(_ s: String, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8), on f: inout VideoFrame) {
        var cx = x
        for ch in s {
            guard let d = ch.wholeNumberValue else { continue }
            let rows = Self.digits[d]
            for (r, bits) in rows.enumerated() {
                for c in 0..<5 where bits & (1 << (4 - c)) != 0 {
                    for dy in 0..<scale { for dx in 0..<scale { put(cx + c * scale + dx, y + r * scale + dy, color, &f) } }
                }
            }
            cx += 6 * scale
        }
    }

    private func put(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8), _ f: inout VideoFrame) {
        guard x >= 0, y >= 0, x < f.width, y < f.height else { return }
        let o = (y * f.width + x) * 3
        f.pixels[o] = c.0
        f.pixels[o + 1] = c.1
        f.pixels[o + 2] = c.2
    }

    /// Rows of 5 bits, top to bottom, for 0…9.
    static let digits: [[UInt8]] = [
        [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
    ]
}

/// A FrameProcessor that draws the tracker's view instead of restoring (`facerestored faces`).
public final class TrackAnnotator: FrameProcessor {
    public let lookahead = 2
    private let tracker: FaceTracker
    private let overlay = TrackOverlay()
    private var recent = RecentTracks(lookahead: 2)

    public init(tracker: FaceTracker) { self.tracker = tracker }

    public var counters: FaceTracker.Counters { tracker.counters }

    public func frameArrived(_ frame: VideoFrame) {
        recent.record(tracker.update(frame), sequence: frame.sequence)
    }

    public func process(_ window: FrameWindow) -> VideoFrame {
        var frame = window.centreFrame
        overlay.draw(recent.tracks(for: frame.sequence), on: &frame)
        return frame
    }
}
