/// Where the tracker looks between its whole-frame scans: a square window around each track.
///
/// Why: dlib's HOG detector costs in proportion to the pixels it scans (about 26 ms for the
/// 640×360 copy of a 720p frame on the 2-core target, every 5th frame), yet between scans for new
/// faces all a detection round has to do is re-anchor the faces already followed. A window twice
/// a face's side is about a quarter of that copy for a typical face.
public enum LocalDetection {
    /// A window in image pixels.
    public struct Window: Equatable, Sendable {
        public let x: Int, y: Int, width: Int, height: Int
        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    /// Window side as a multiple of the face's side.
    public static let expansion = 2.0
    /// Smallest window side: twice dlib's 80-pixel detection window, so a face that grew since
    /// the last detection still fits with the margin HOG needs around it.
    public static let minimumSide = 160.0

    /// Window origins snap to this grid. Why: dlib places a detection on its HOG cells (8 px at
    /// full scale, larger up the pyramid), counted from the image's origin; a window that moved a
    /// few pixels with the face placed it differently from round to round. On a 48-px grid (a
    /// whole number of cells at the pyramid's first two levels, 1 and 5/6) the origin stays put
    /// while the face does: on the shipped clip the mean difference from whole-frame boxes fell
    /// from 5.9 to 4.0 px. The largest (20 px) remains: in the smaller image another pyramid level
    /// (5/6 the size) sometimes wins, which is why windows are not the tracker's default.
    public static let grid = 48

    /// The window around `box` (image pixels): at least `expansion` times its side each way from
    /// its centre, the origin snapped down to `grid`, clipped to the image; nil when nothing of it
    /// is left inside.
    public static func window(around box: FaceBox, imageWidth: Int, imageHeight: Int) -> Window? {
        let side = max(minimumSide, expansion * max(box.width, box.height))
        let x0 = max(0, Int(((box.centerX - side / 2) / Double(grid)).rounded(.down)) * grid)
        let y0 = max(0, Int(((box.centerY - side / 2) / Double(grid)).rounded(.down)) * grid)
        let x1 = min(imageWidth, Int((box.centerX + side / 2).rounded(.up)))
        let y1 = min(imageHeight, Int((box.centerY + side / 2).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return nil }
        return Window(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// The window's pixels of a packed RGB image `width` pixels wide.
    public static func crop(_ pixels: [UInt8], width: Int, _ w: Window) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: w.width * w.height * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in 0..<w.height {
                    let from = ((w.y + row) * width + w.x) * 3
                    dst.baseAddress!.advanced(by: row * w.width * 3)
                        .update(from: src.baseAddress!.advanced(by: from), count: w.width * 3)
                }
            }
        }
        return out
    }

    /// Detections from overlapping windows with each face once: of two boxes overlapping by
    /// more than half (IoU), the stronger stays.
    public static func merge(_ found: [FaceDetection]) -> [FaceDetection] {
        var kept: [FaceDetection] = []
        for d in found.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { $0.box.iou(d.box) > 0.5 }) {
            kept.append(d)
        }
        return kept
    }
}
