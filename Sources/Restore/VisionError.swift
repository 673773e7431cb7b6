import CVision

/// What went wrong in the dlib wrappers (`FaceDetector`, `FHOGExtractor`, `LandmarkPredictor`),
/// with a description that says what to do about it.
public enum VisionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The pixel buffer does not hold `width × height × channels` bytes, or the size is empty.
    case badImage(what: String, width: Int, height: Int, byteCount: Int, expected: String)
    /// The landmarks model file cannot be opened (missing, unreadable, a directory …).
    case landmarksModelUnreadable(path: String, reason: String)
    /// The landmarks model file opens but is not a dlib shape predictor (damaged, truncated,
    /// another kind of file).
    case landmarksModelCorrupt(path: String, reason: String)
    /// The file is a dlib shape predictor but for another number of points (e.g. the 5-point one).
    case landmarksModelWrongPointCount(path: String, found: Int, expected: Int)
    /// An argument dlib was not given sensibly (e.g. upsample out of range).
    case invalidArgument(String)
    /// dlib itself failed (out of memory or an internal exception).
    case dlibFailure(operation: String, message: String)
    /// The shim was compiled for instructions this CPU does not have (VisionBuild).
    case cpuLacksBuildFeatures(march: String, missing: [String])

    public var description: String {
        switch self {
        case let .badImage(what, width, height, byteCount, expected):
            return "\(what): got a \(width)×\(height) image with \(byteCount) bytes, expected \(expected); "
                + "pass tightly packed 8-bit RGB (width × height × 3 bytes, no row padding)"
        case let .landmarksModelUnreadable(path, reason):
            return "cannot read the 68-point landmarks model at \(path) (\(reason)); install it with "
                + "`apt-get install libdlib-data` (it provides \(LandmarkPredictor.defaultModelPath)) "
                + "or set the landmarks path to a readable shape_predictor_68_face_landmarks.dat"
        case let .landmarksModelCorrupt(path, reason):
            return "\(path) is not a usable dlib shape predictor (\(reason)); the file is damaged or of "
                + "another kind: reinstall it (`apt-get install --reinstall libdlib-data`) or set the "
                + "landmarks path to the original shape_predictor_68_face_landmarks.dat"
        case let .landmarksModelWrongPointCount(path, found, expected):
            return "\(path) predicts \(found) points per face, but \(expected) are needed; set the landmarks "
                + "path to the 68-point model (shape_predictor_68_face_landmarks.dat from libdlib-data)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .dlibFailure(operation, message):
            return "dlib failed during \(operation): \(message)"
        case let .cpuLacksBuildFeatures(march, missing):
            return "facerestored's face detector was compiled for \(march) (the building machine has it), but this CPU "
                + "lacks \(missing.joined(separator: ", ")); rebuild on this machine (`swift build -c release`), or with "
                + "FACERESTORED_MARCH=x86-64 for a build that runs on any x86-64 CPU"
        }
    }
}

extension VisionError {
    /// Turns a non-OK shim status into an error (load errors are mapped by LandmarkPredictor).
    static func from(_ error: cv_error, operation: String) -> VisionError {
        let message = error.text
        switch cv_status(rawValue: UInt32(bitPattern: error.code)) {
        case CV_ERR_INVALID_ARGUMENT: return .invalidArgument(message)
        default: return .dlibFailure(operation: operation, message: message)
        }
    }

    /// Checks that a packed buffer matches its stated size.
    static func checkImage(_ what: String, byteCount: Int, width: Int, height: Int, channels: Int = 3) throws(VisionError) {
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (bytes, o2) = area.multipliedReportingOverflow(by: channels)
        guard width > 0, height > 0, !o1, !o2, bytes == byteCount, width <= Int32.max, height <= Int32.max else {
            throw .badImage(what: what, width: width, height: height, byteCount: byteCount,
                            expected: width > 0 && height > 0 ? "\(width) × \(height) × \(channels) bytes" : "a non-empty size")
        }
    }
}

extension cv_error {
    /// The NUL-terminated message the shim wrote.
    var text: String {
        withUnsafeBytes(of: message) { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
    }

    var status: cv_status { cv_status(rawValue: UInt32(bitPattern: code)) }
}

extension FaceBox {
    /// A box from dlib's inclusive corners (width = right − left + 1).
    init(dlibLeft left: Double, top: Double, right: Double, bottom: Double) {
        self.init(x: left, y: top, width: right - left + 1, height: bottom - top + 1)
    }

    /// dlib's inclusive corners of this box (the inverse of `init(dlibLeft:top:right:bottom:)`).
    var dlibCorners: (left: Double, top: Double, right: Double, bottom: Double) {
        (x, y, x + width - 1, y + height - 1)
    }
}
