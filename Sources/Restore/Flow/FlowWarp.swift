import CVision

/// Backward warp of planar float images by a flow field (OpenCV `remap`, bilinear, edges
/// replicated): `out(y, x) = image(y + dy, x + dx)`. Warping the second image of a flow pair
/// by the flow from the first to the second aligns it with the first.
///
/// The field may be coarser than the image (an integer factor or not): it is resized bilinearly
/// and its vectors scaled, so a flow computed on a 64×64 grey copy can warp the 256×256 face.
/// OpenCV samples on a 1/32-pixel grid.
///
/// Threads: keeps OpenCV scratch maps; one instance belongs to one thread at a time.
public final class FlowWarp {
    private let handle: OpaquePointer

    public init() throws(FlowError) {
        var error = cv_error()
        guard let handle = cv_warper_create(&error) else {
            throw FlowError.from(error, operation: "creating the flow warper")
        }
        self.handle = handle
    }

    deinit { cv_warper_destroy(handle) }

    /// Warps `image` (`planes × height × width` floats, planar) by `flow` into `output`, resized
    /// to the image's size if needed (reuse it across frames). `output` is a different array
    /// from `image` by Swift's exclusivity rules, which OpenCV's remap needs.
    /// - Throws: `FlowError.wrongSize` if `image` does not hold planes × width × height values;
    ///   `.invalidParameter` for an empty size or a flow field larger than the image;
    ///   `.openCVFailure` if OpenCV fails.
    public func warp(_ image: [Float], width: Int, height: Int, planes: Int, by flow: FlowField,
                     into output: inout [Float]) throws(FlowError) {
        guard width > 0, height > 0, planes > 0, width <= 1 << 15, height <= 1 << 15, planes <= 64 else {
            throw .invalidParameter("warped image \(planes)×\(height)×\(width) is not within 1…64 planes of 1…32768²")
        }
        try FlowError.check("warped image", count: image.count, expected: planes * width * height)
        try FlowError.check("flow field dx", count: flow.dx.count, expected: flow.width * flow.height)
        try FlowError.check("flow field dy", count: flow.dy.count, expected: flow.width * flow.height)
        if output.count != image.count { output = [Float](repeating: 0, count: image.count) }
        var error = cv_error()
        let status = image.withUnsafeBufferPointer { src in
            flow.dx.withUnsafeBufferPointer { dx in
                flow.dy.withUnsafeBufferPointer { dy in
                    output.withUnsafeMutableBufferPointer { dst in
                        cv_warp_backward(handle, src.baseAddress, Int32(width), Int32(height), Int32(planes),
                                         dx.baseAddress, dy.baseAddress, Int32(flow.width), Int32(flow.height),
                                         dst.baseAddress, dst.count, &error)
                    }
                }
            }
        }
        guard status == CV_OK.rawValue else { throw FlowError.from(error, operation: "flow warp") }
    }
}
