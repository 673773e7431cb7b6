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
        [UInt8](unsafeUninitializedCapacity: size * size * 3) { out, written in
            sample(frame, region: region, into: out)
            written = size * size * 3
        }
    }

    /// The same into `dst` (size × size × 3 bytes, all written): for crops made into recycled
    /// arrays.
    public func sample(_ frame: VideoFrame, region: FaceBox, into dst: UnsafeMutableBufferPointer<UInt8>) {
        precondition(dst.count == size * size * 3, "a crop needs \(size * size * 3) bytes, got \(dst.count)")
        let scale = region.width / Double(size)
        let w = frame.width, h = frame.height
        // Columns map the same way in every row: source indices and weights once per call.
        var xa = [Int](repeating: 0, count: size), xb = xa
        var tx = [Double](repeating: 0, count: size)
        for u in 0..<size {
            let fx = region.x + (Double(u) + 0.5) * scale - 0.5
            let x0 = ByteRounding.floor(fx)
            tx[u] = fx - Double(x0)
            xa[u] = min(max(x0, 0), w - 1) * 3
            xb[u] = min(max(x0 + 1, 0), w - 1) * 3
        }
        frame.pixels.withUnsafeBufferPointer { src in
            for v in 0..<size {
                let fy = region.y + (Double(v) + 0.5) * scale - 0.5
                let y0 = ByteRounding.floor(fy), ty = fy - Double(y0)
                let rowA = min(max(y0, 0), h - 1) * w * 3, rowB = min(max(y0 + 1, 0), h - 1) * w * 3
                for u in 0..<size {
                    let o = (v * size + u) * 3, t = tx[u]
                    let a0 = rowA + xa[u], a1 = rowA + xb[u], b0 = rowB + xa[u], b1 = rowB + xb[u]
                    for c in 0..<3 {
                        let p00 = Double(src[a0 + c]), p01 = Double(src[a1 + c])
                        let p10 = Double(src[b0 + c]), p11 = Double(src[b1 + c])
                        let top = p00 + (p01 - p00) * t, bottom = p10 + (p11 - p10) * t
                        dst[o + c] = ByteRounding.byte(top + (bottom - top) * ty)
                    }
                }
            }
        }
    }
}
