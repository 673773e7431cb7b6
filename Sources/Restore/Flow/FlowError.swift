import CVision

/// What went wrong in optical flow, warping or temporal smoothing, said so that the caller can
/// tell its own mistake (a wrong buffer, a bad setting) from a library failure.
public enum FlowError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A buffer does not hold the number of values its stated size needs.
    case wrongSize(what: String, expected: Int, got: Int)
    /// A setting is out of range (Farneback parameters, γ, sizes that do not divide …).
    case invalidParameter(String)
    /// The model file's `flow` metadata does not carry usable Farneback parameters.
    case unreadableMetadata(String)
    /// OpenCV itself failed (out of memory or an exception it threw).
    case openCVFailure(operation: String, message: String)

    public var description: String {
        switch self {
        case let .wrongSize(what, expected, got):
            return "\(what): got \(got) values, expected \(expected)"
        case let .invalidParameter(message):
            return "invalid flow setting: \(message)"
        case let .unreadableMetadata(message):
            return "cannot read the Farneback parameters from the model's `flow` metadata: \(message); "
                + "re-export the model with training/export.py or pass the parameters explicitly"
        case let .openCVFailure(operation, message):
            return "OpenCV failed during \(operation): \(message)"
        }
    }

    static func from(_ error: cv_error, operation: String) -> FlowError {
        switch error.status {
        case CV_ERR_INVALID_ARGUMENT: return .invalidParameter(error.text)
        default: return .openCVFailure(operation: operation, message: error.text)
        }
    }

    static func check(_ what: String, count: Int, expected: Int) throws(FlowError) {
        guard count == expected else { throw .wrongSize(what: what, expected: expected, got: count) }
    }
}
