import CVision

/// OpenCV's Farneback dense optical flow between two grey images of a fixed size.
///
/// The size is fixed at creation so that OpenCV's output matrix and the caller's `FlowField`
/// are allocated once and reused for every frame.
///
/// Threads: keeps OpenCV scratch state; one instance belongs to one thread at a time (not
/// `Sendable`).
public final class OpticalFlow {
    public let width: Int
    public let height: Int
    public let parameters: FarnebackParameters

    private let handle: OpaquePointer

    /// - Throws: `FlowError.invalidParameter` for an empty size or parameters out of range.
    public init(width: Int, height: Int, parameters: FarnebackParameters = .model) throws(FlowError) {
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            throw .invalidParameter("flow image size \(width)×\(height) is not within 1…32768")
        }
        try parameters.validate()
        var error = cv_error()
        guard let handle = cv_farneback_create(&error) else {
            throw FlowError.from(error, operation: "creating the Farneback flow")
        }
        self.handle = handle
        self.width = width
        self.height = height
        self.parameters = parameters
    }

    deinit { cv_farneback_destroy(handle) }

    /// A zero field of this size, to pass to `compute(from:to:into:)`.
    public func makeField() -> FlowField { FlowField(width: width, height: height) }

    /// The flow from `first` to `second` (packed 8-bit grey, `width × height` bytes each).
    public func compute(from first: [UInt8], to second: [UInt8]) throws(FlowError) -> FlowField {
        var field = makeField()
        try compute(from: first, to: second, into: &field)
        return field
    }

    /// The flow from `first` to `second` into `field` (reuse one field across frames). With
    /// `.useInitialFlow` in the parameters, `field` is also the initial estimate.
    /// - Throws: `FlowError.wrongSize` for images or a field of another size;
    ///   `.openCVFailure` if OpenCV fails.
    public func compute(from first: [UInt8], to second: [UInt8], into field: inout FlowField) throws(FlowError) {
        try FlowError.check("Farneback first image", count: first.count, expected: width * height)
        try FlowError.check("Farneback second image", count: second.count, expected: width * height)
        guard field.width == width, field.height == height else {
            throw .wrongSize(what: "flow field (\(field.width)×\(field.height))", expected: width * height,
                             got: field.width * field.height)
        }
        try FlowError.check("flow field dx", count: field.dx.count, expected: width * height)
        try FlowError.check("flow field dy", count: field.dy.count, expected: width * height)
        var params = parameters.cValue
        var error = cv_error()
        let (w, h) = (Int32(width), Int32(height))
        let status = first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                field.dx.withUnsafeMutableBufferPointer { dx in
                    field.dy.withUnsafeMutableBufferPointer { dy in
                        cv_farneback_compute(handle, a.baseAddress, b.baseAddress, w, h, &params,
                                             dx.baseAddress, dy.baseAddress, min(dx.count, dy.count), &error)
                    }
                }
            }
        }
        guard status == CV_OK.rawValue else { throw FlowError.from(error, operation: "Farneback flow") }
    }
}
