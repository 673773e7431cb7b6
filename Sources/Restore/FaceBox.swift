import Media

/// An axis-aligned box in full-frame pixel coordinates (origin top-left, x to the right).
public struct FaceBox: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var centerX: Double { x + width / 2 }
    public var centerY: Double { y + height / 2 }
    public var area: Double { max(0, width) * max(0, height) }

    /// Intersection over union; 0 when either box is empty.
    public func iou(_ other: FaceBox) -> Double {
        let ix = max(0, min(x + width, other.x + other.width) - max(x, other.x))
        let iy = max(0, min(y + height, other.y + other.height) - max(y, other.y))
        let inter = ix * iy
        let union = area + other.area - inter
        return union > 0 ? inter / union : 0
    }

    /// The same box in a frame scaled by `factor` (detection runs on a downscaled copy).
    public func scaled(by factor: Double) -> FaceBox {
        FaceBox(x: x * factor, y: y * factor, width: width * factor, height: height * factor)
    }

    public var description: String {
        "(\(Int(x.rounded())),\(Int(y.rounded())) \(Int(width.rounded()))×\(Int(height.rounded())))"
    }
}

/// One face found by the detector in one frame.
public struct FaceDetection: Hashable, Sendable {
    public var box: FaceBox
    /// dlib's detection score (higher is more confident).
    public var score: Double
    public init(box: FaceBox, score: Double) {
        self.box = box
        self.score = score
    }
}
