/// A dense flow field, planar: `dx` and `dy`, each `width × height`, row-major. The vector at
/// pixel (x, y) of the first image points to where that pixel is in the second image (OpenCV's
/// convention): first(y, x) ≈ second(y + dy, x + dx).
public struct FlowField: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var dx: [Float]
    public var dy: [Float]

    /// A zero field (no motion).
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "flow field size must be positive")
        self.width = width
        self.height = height
        dx = [Float](repeating: 0, count: width * height)
        dy = [Float](repeating: 0, count: width * height)
    }

    /// A field from planar components.
    /// - Throws: `FlowError.wrongSize` unless each holds `width × height` values.
    public init(width: Int, height: Int, dx: [Float], dy: [Float]) throws(FlowError) {
        guard width > 0, height > 0 else { throw .invalidParameter("flow field size \(width)×\(height) is empty") }
        try FlowError.check("flow dx", count: dx.count, expected: width * height)
        try FlowError.check("flow dy", count: dy.count, expected: width * height)
        self.width = width
        self.height = height
        self.dx = dx
        self.dy = dy
    }
}
