import CVision
import Media

/// dlib's HOG `frontal_face_detector` (5 filters: front, left, right, front rotated ±27°).
///
/// Finds frontal faces of about 80×80 px and larger (40 px with `upsample: 1`, 20 px with 2, at
/// 4× the cost each). Run it on a downscaled copy of the frame and scale the boxes back
/// (`FaceBox.scaled(by:)`).
///
/// Threads: dlib's detector keeps state between calls and this object keeps scratch images, so
/// one instance belongs to one thread at a time (the stream's restoration thread). It is not
/// `Sendable`; make one per thread that detects.
public final class FaceDetector {
    private let handle: OpaquePointer
    private var results: [cv_detection]

    /// Builds the detector from dlib's built-in model (~0.25 s: create once and keep it).
    public init() throws(VisionError) {
        try VisionBuild.requireRunnableCPU()
        var error = cv_error()
        guard let handle = cv_face_detector_create(&error) else {
            throw VisionError.from(error, operation: "creating the face detector")
        }
        self.handle = handle
        self.results = Array(repeating: cv_detection(), count: 16)
    }

    deinit { cv_face_detector_destroy(handle) }

    /// Detects faces in a tightly packed RGB image (`width × height × 3` bytes).
    ///
    /// - Parameters:
    ///   - upsample: how many times the image is doubled (dlib `pyramid_up`) before detecting;
    ///     0…4. Boxes are always in the coordinates of `rgb`.
    ///   - adjustThreshold: added to dlib's detection threshold (0 is dlib's default; negative
    ///     values return weaker detections too).
    /// - Returns: dlib's detections after its non-maximum suppression, strongest first; empty
    ///   for an image smaller than the detection window.
    /// - Throws: `VisionError.badImage` if the buffer does not match the size (including an empty
    ///   size), `.invalidArgument` for an upsample out of range, `.dlibFailure` if dlib fails.
    public func detect(rgb: [UInt8], width: Int, height: Int, upsample: Int = 0,
                       adjustThreshold: Double = 0) throws(VisionError) -> [FaceDetection] {
        try VisionError.checkImage("face detection", byteCount: rgb.count, width: width, height: height)
        guard (0...4).contains(upsample) else {
            throw .invalidArgument("upsample must be 0…4 (each step doubles the image), got \(upsample)")
        }
        while true {
            var error = cv_error()
            var found: Int32 = 0
            let capacity = results.count
            let status = rgb.withUnsafeBufferPointer { pixels in
                results.withUnsafeMutableBufferPointer { out in
                    cv_face_detector_detect(handle, pixels.baseAddress, Int32(width), Int32(height), 3,
                                            Int32(upsample), adjustThreshold,
                                            out.baseAddress, Int32(capacity), &found, &error)
                }
            }
            guard status == CV_OK.rawValue else { throw VisionError.from(error, operation: "face detection") }
            if Int(found) > capacity {
                // Rare (a crowd): grow the buffer and run again.
                results = Array(repeating: cv_detection(), count: Int(found))
                continue
            }
            return results.prefix(Int(found)).map { d in
                FaceDetection(box: FaceBox(dlibLeft: d.left, top: d.top, right: d.right, bottom: d.bottom),
                              score: d.score)
            }
        }
    }

    /// Detects faces in a decoded frame (see `detect(rgb:width:height:upsample:adjustThreshold:)`).
    public func detect(in frame: VideoFrame, upsample: Int = 0,
                       adjustThreshold: Double = 0) throws(VisionError) -> [FaceDetection] {
        try detect(rgb: frame.pixels, width: frame.width, height: frame.height, upsample: upsample,
                   adjustThreshold: adjustThreshold)
    }
}
