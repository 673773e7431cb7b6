import CVision
import Media

/// dlib's `correlation_tracker` (Danelljan et al., BMVC 2014: a correlation filter on FHOG and
/// grey features of the box's surroundings, plus a scale filter): follows one box from frame to
/// frame without a detector.
///
/// Start it on a box, then call `update` with each following image of the same size; it returns
/// the new box and dlib's peak-to-side-lobe ratio (PSR) as a confidence. The PSR compares the
/// filter response's peak with the rest of the response: Bolme et al. (MOSSE, CVPR 2010) read
/// 20–60 as a solid lock and below ~7 as occlusion or a lost target. Its scale depends on the
/// filter size: on the GRID clips, faces held gave 13–30 with the 64 filter and 7.6–15 with the
/// 32 one (even under noise of σ 30 grey levels); noise, a blank image or a covered face gave
/// 4–6.5 with either (see `CorrelationFollower`).
///
/// Boxes are in the pixels of the images passed in (`FaceBox`, converted to dlib's inclusive
/// corners and back).
///
/// Threads: the dlib tracker keeps its filters and scratch images in the object, so one instance
/// belongs to one thread at a time (not `Sendable`); different instances may run concurrently.
public final class CorrelationTracker {
    /// One `update`'s result.
    public struct Observation: Sendable, Equatable {
        /// Where the tracked box is now.
        public var box: FaceBox
        /// dlib's peak-to-side-lobe ratio (higher is more confident; ≥ 0).
        public var confidence: Double
    }

    /// Side of the square translation filter in pixels (a power of two).
    public let filterSize: Int
    /// Number of scales the scale filter compares (a power of two).
    public let scaleLevels: Int
    /// True once `start` has succeeded.
    public private(set) var isStarted = false

    private let handle: OpaquePointer

    /// A tracker with dlib's parameters: `filterSize` (16…256, a power of two; dlib's default 64:
    /// the box's surroundings are resampled to that square, so smaller is faster and coarser) and
    /// `scaleLevels` (2…128, a power of two; dlib's default 32).
    /// - Throws: `VisionError.invalidArgument` for sizes that are not such powers of two.
    public init(filterSize: Int = 64, scaleLevels: Int = 32) throws(VisionError) {
        guard let f = Self.log2(filterSize, in: 4...8), let s = Self.log2(scaleLevels, in: 1...7) else {
            throw .invalidArgument("correlation tracker: filter size must be 16…256 and scale levels 2…128, "
                + "both powers of two; got \(filterSize) and \(scaleLevels)")
        }
        try VisionBuild.requireRunnableCPU()
        var error = cv_error()
        guard let handle = cv_correlation_tracker_create(Int32(f), Int32(s), &error) else {
            throw VisionError.from(error, operation: "creating the correlation tracker")
        }
        self.handle = handle
        self.filterSize = filterSize
        self.scaleLevels = scaleLevels
    }

    deinit { cv_correlation_tracker_destroy(handle) }

    private static func log2(_ n: Int, in range: ClosedRange<Int>) -> Int? {
        guard n > 0, n & (n - 1) == 0 else { return nil }
        let l = n.trailingZeroBitCount
        return range.contains(l) ? l : nil
    }

    /// Starts (or restarts) following `box` in a packed image (`channels` 3: RGB, 1: grey).
    /// Later updates must pass images of the same size and channel count.
    /// - Throws: `VisionError.badImage` if the buffer does not match the size;
    ///   `.invalidArgument` for a box that is empty, not finite or entirely outside the image
    ///   (the tracker then keeps its previous state); `.dlibFailure` if dlib fails.
    public func start(pixels: [UInt8], width: Int, height: Int, channels: Int = 3, box: FaceBox) throws(VisionError) {
        try VisionError.checkImage("correlation tracker start", byteCount: pixels.count, width: width, height: height,
                                   channels: channels)
        var error = cv_error()
        let status = pixels.withUnsafeBufferPointer { p in
            cv_correlation_tracker_start(handle, p.baseAddress, Int32(width), Int32(height), Int32(channels),
                                         box.cvRect, &error)
        }
        guard status == CV_OK.rawValue else {
            // A rejected argument leaves the tracker as it was; a dlib failure leaves it unstarted.
            if error.status != CV_ERR_INVALID_ARGUMENT { isStarted = false }
            throw VisionError.from(error, operation: "starting the correlation tracker")
        }
        isStarted = true
    }

    /// Finds the box in the next image.
    /// - Parameters:
    ///   - guess: where to search; nil searches around the previous box.
    ///   - estimateScale: also run dlib's scale filter (the box may grow or shrink); false keeps
    ///     the size (dlib's `update_noscale`, cheaper).
    /// - Throws: `VisionError.badImage` if the buffer does not match the size;
    ///   `.invalidArgument` before a successful `start` or for an image whose size or channel
    ///   count differs from the one `start` had; `.dlibFailure` if dlib fails.
    public func update(pixels: [UInt8], width: Int, height: Int, channels: Int = 3, guess: FaceBox? = nil,
                       estimateScale: Bool = true) throws(VisionError) -> Observation {
        try VisionError.checkImage("correlation tracker update", byteCount: pixels.count, width: width, height: height,
                                   channels: channels)
        var error = cv_error()
        var box = cv_rect(), psr = 0.0
        let status = pixels.withUnsafeBufferPointer { p in
            if var g = guess?.cvRect {
                return cv_correlation_tracker_update(handle, p.baseAddress, Int32(width), Int32(height), Int32(channels),
                                                     &g, estimateScale ? 1 : 0, &box, &psr, &error)
            }
            return cv_correlation_tracker_update(handle, p.baseAddress, Int32(width), Int32(height), Int32(channels),
                                                 nil, estimateScale ? 1 : 0, &box, &psr, &error)
        }
        guard status == CV_OK.rawValue else { throw VisionError.from(error, operation: "correlation tracking") }
        return Observation(box: FaceBox(dlibLeft: box.left, top: box.top, right: box.right, bottom: box.bottom),
                           confidence: psr)
    }

    /// Starts on a decoded frame (see `start(pixels:width:height:channels:box:)`).
    public func start(in frame: VideoFrame, box: FaceBox) throws(VisionError) {
        try start(pixels: frame.pixels, width: frame.width, height: frame.height, box: box)
    }

    /// Updates with a decoded frame (see `update(pixels:width:height:channels:guess:estimateScale:)`).
    public func update(in frame: VideoFrame, guess: FaceBox? = nil, estimateScale: Bool = true) throws(VisionError) -> Observation {
        try update(pixels: frame.pixels, width: frame.width, height: frame.height, guess: guess, estimateScale: estimateScale)
    }
}

extension FaceBox {
    /// dlib's inclusive corners as the shim's rectangle.
    var cvRect: cv_rect {
        let c = dlibCorners
        return cv_rect(left: c.left, top: c.top, right: c.right, bottom: c.bottom)
    }
}
