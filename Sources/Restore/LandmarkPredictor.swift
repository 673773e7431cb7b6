import CVision
import Media

/// One facial landmark in full-frame pixel coordinates (dlib's points are whole pixels).
public struct LandmarkPoint: Hashable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
    public var description: String { "(\(x), \(y))" }
}

/// dlib's 68-point `shape_predictor` (iBUG 300-W markup: 0–16 jaw, 17–26 brows, 27–35 nose,
/// 36–47 eyes, 48–67 mouth), loaded from a model file.
///
/// Threads: keeps scratch images; one instance belongs to one thread at a time (not `Sendable`).
/// Loading reads ~100 MB (~0.7 s): load once per thread and keep it.
public final class LandmarkPredictor {
    /// Where Debian's libdlib-data installs the model.
    public static let defaultModelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"
    /// Points per face.
    public static let pointCount = 68

    /// The file the model was loaded from.
    public let modelPath: String
    private let handle: OpaquePointer
    private var buffer: [Float]

    /// Loads the model.
    /// - Throws: `VisionError.landmarksModelUnreadable` when the file is missing or unreadable,
    ///   `.landmarksModelCorrupt` when it is not a dlib shape predictor,
    ///   `.landmarksModelWrongPointCount` when it predicts other than 68 points.
    public init(modelPath: String = LandmarkPredictor.defaultModelPath) throws(VisionError) {
        try VisionBuild.requireRunnableCPU()
        var error = cv_error()
        guard let handle = cv_shape_predictor_load(modelPath, &error) else {
            let reason = error.text
            switch error.status {
            case CV_ERR_CANNOT_OPEN, CV_ERR_INVALID_ARGUMENT:
                throw .landmarksModelUnreadable(path: modelPath, reason: reason)
            case CV_ERR_OUT_OF_MEMORY:
                throw .dlibFailure(operation: "loading the landmarks model", message: reason)
            default:
                throw .landmarksModelCorrupt(path: modelPath, reason: reason)
            }
        }
        let parts = Int(cv_shape_predictor_num_parts(handle))
        guard parts == Self.pointCount else {
            cv_shape_predictor_destroy(handle)
            throw .landmarksModelWrongPointCount(path: modelPath, found: parts, expected: Self.pointCount)
        }
        self.modelPath = modelPath
        self.handle = handle
        self.buffer = [Float](repeating: 0, count: 2 * Self.pointCount)
    }

    deinit { cv_shape_predictor_destroy(handle) }

    /// The 68 landmarks of the face in `box` (usually a `FaceDetector` box, in the same
    /// coordinates as `rgb`). dlib rounds the box to whole pixels first. Points may fall outside
    /// the image when the face does.
    /// - Throws: `VisionError.badImage` if `rgb` is not `width × height × 3` bytes or the size is
    ///   empty, `.invalidArgument` for a non-finite box, `.dlibFailure` if dlib fails.
    public func predict(rgb: [UInt8], width: Int, height: Int, box: FaceBox) throws(VisionError) -> [LandmarkPoint] {
        try VisionError.checkImage("landmark prediction", byteCount: rgb.count, width: width, height: height)
        let corners = box.dlibCorners
        var error = cv_error()
        let capacity = Self.pointCount
        let status = rgb.withUnsafeBufferPointer { pixels in
            buffer.withUnsafeMutableBufferPointer { out in
                cv_shape_predictor_predict(handle, pixels.baseAddress, Int32(width), Int32(height), 3,
                                           corners.left, corners.top, corners.right, corners.bottom,
                                           out.baseAddress, Int32(capacity), &error)
            }
        }
        guard status == CV_OK.rawValue else { throw VisionError.from(error, operation: "landmark prediction") }
        return (0..<capacity).map { LandmarkPoint(x: Double(buffer[2 * $0]), y: Double(buffer[2 * $0 + 1])) }
    }

    /// The 68 landmarks of the face in `box` of a decoded frame.
    public func predict(in frame: VideoFrame, box: FaceBox) throws(VisionError) -> [LandmarkPoint] {
        try predict(rgb: frame.pixels, width: frame.width, height: frame.height, box: box)
    }
}
