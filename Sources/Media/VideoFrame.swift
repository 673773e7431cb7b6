/// One decoded video frame: tightly packed 8-bit RGB (no row padding), with its timing.
public struct VideoFrame: Sendable {
    public let width: Int
    public let height: Int
    /// width * height * 3 bytes, row-major RGB.
    public var pixels: [UInt8]
    public let pts: MediaTime
    public let duration: MediaTime?
    /// Index in arrival order, 0-based; gaps never occur (dropped frames are counted instead).
    public let sequence: Int
    /// Monotonic nanoseconds at which the frame left GStreamer (used for latency figures).
    public let arrivalNanos: UInt64

    public init(width: Int, height: Int, pixels: [UInt8], pts: MediaTime, duration: MediaTime? = nil,
                sequence: Int, arrivalNanos: UInt64) {
        precondition(pixels.count == width * height * 3, "RGB frame size mismatch")
        self.width = width
        self.height = height
        self.pixels = pixels
        self.pts = pts
        self.duration = duration
        self.sequence = sequence
        self.arrivalNanos = arrivalNanos
    }

    public var byteCount: Int { width * height * 3 }

    /// Whether both frames' pixels are the same storage (one array shared by value, not a copy).
    public func sharesPixels(with other: VideoFrame) -> Bool {
        pixels.withUnsafeBufferPointer { a in
            other.pixels.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress }
        }
    }
}

/// Frame rate as a rational number, as GStreamer caps carry it (0/1 means variable).
public struct FrameRate: Hashable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = max(denominator, 1)
    }
    public var fps: Double { Double(numerator) / Double(denominator) }
    public var isVariable: Bool { numerator == 0 }
    public var frameDuration: MediaTime? {
        isVariable ? nil : MediaTime(nanoseconds: Int64(1_000_000_000) * Int64(denominator) / Int64(numerator))
    }
    public var description: String { "\(numerator)/\(denominator)" }
}

/// Geometry and rate of a video stream.
public struct VideoFormat: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public let frameRate: FrameRate
    public init(width: Int, height: Int, frameRate: FrameRate) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
    }
}
