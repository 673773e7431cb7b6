import Media

/// The method's non-aligned crop: a square around the detection, expanded to take in hair and
/// chin, resampled to `size`×`size` with no rotation or landmark alignment.
public struct FaceCrop: Sendable {
    /// Crop side in pixels (256 for the model).
    public let size: Int
    /// Square side relative to the larger side of dlib's box (which spans brows to lips).
    public let expansion: Double
    /// Upward shift of the centre, relative to the box height, so that the hair is included.
    public let lift: Double

    public init(size: Int = 256, expansion: Double = 1.8, lift: Double = 0.12) {
        precondition(size > 0 && expansion > 0, "crop size and expansion must be positive")
        self.size = size
        self.expansion = expansion
        self.lift = lift
    }

    /// The square region of the frame that becomes the crop. It may reach outside the frame;
    /// such pixels are filled by edge replication when sampling.
    public func region(for box: FaceBox) -> FaceBox {
        let side = max(box.width, box.height) * expansion
        let cx = box.centerX, cy = box.centerY - lift * box.height
        return FaceBox(x: cx - side / 2, y: cy - side / 2, width: side, height: side)
    }

    /// Samples `region` of `frame` into a size×size RGB crop (bilinear, pixel centres aligned).
    ///
    /// Hand-written rather than taken from a library: the same mapping must be inverted exactly by
    /// `FeatheredPaste`, and it is a few lines with no dependency.
    public func sample(_ frame: VideoFrame, region: FaceBox) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size * size * 3)
        let scale = region.width / Double(size)
        let w = frame.width, h = frame.height
        frame.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for v in 0..<size {
                    let fy = region.y + (Double(v) + 0.5) * scale - 0.5
                    let y0 = Int(fy.rounded(.down)), ty = fy - Double(y0)
                    let ya = min(max(y0, 0), h - 1), yb = min(max(y0 + 1, 0), h - 1)
                    for u in 0..<size {
                        let fx = region.x + (Double(u) + 0.5) * scale - 0.5
                        let x0 = Int(fx.rounded(.down)), tx = fx - Double(x0)
                        let xa = min(max(x0, 0), w - 1), xb = min(max(x0 + 1, 0), w - 1)
                        let o = (v * size + u) * 3
                        for c in 0..<3 {
                            let p00 = Double(src[(ya * w + xa) * 3 + c]), p01 = Double(src[(ya * w + xb) * 3 + c])
                            let p10 = Double(src[(yb * w + xa) * 3 + c]), p11 = Double(src[(yb * w + xb) * 3 + c])
                            let top = p00 + (p01 - p00) * tx, bottom = p10 + (p11 - p10) * tx
                            dst[o + c] = UInt8(min(255, max(0, (top + (bottom - top) * ty).rounded())))
                        }
                    }
                }
            }
        }
        return out
    }
}
