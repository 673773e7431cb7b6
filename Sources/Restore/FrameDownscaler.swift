import Media

/// Area-averaging downscale of an RGB frame (each output pixel is the mean of the source pixels
/// it covers), used to run the detector on a smaller copy. Area averaging avoids the aliasing that
/// point sampling would feed the HOG features.
public enum FrameDownscaler {
    /// Scale factor (≤ 1) that brings `width` down to at most `targetWidth`.
    public static func factor(width: Int, targetWidth: Int) -> Double {
        width > targetWidth && targetWidth > 0 ? Double(targetWidth) / Double(width) : 1
    }

    public static func downscale(_ frame: VideoFrame, factor: Double) -> (pixels: [UInt8], width: Int, height: Int) {
        guard factor < 1 else { return (frame.pixels, frame.width, frame.height) }
        let ow = max(1, Int((Double(frame.width) * factor).rounded())), oh = max(1, Int((Double(frame.height) * factor).rounded()))
        let sx = Double(frame.width) / Double(ow), sy = Double(frame.height) / Double(oh)
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        let w = frame.width
        frame.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<oh {
                    let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(frame.height, Int(Double(y + 1) * sy)))
                    for x in 0..<ow {
                        let x0 = Int(Double(x) * sx), x1 = max(x0 + 1, min(w, Int(Double(x + 1) * sx)))
                        var r = 0, g = 0, b = 0
                        for yy in y0..<y1 {
                            var i = (yy * w + x0) * 3
                            for _ in x0..<x1 {
                                r += Int(src[i]); g += Int(src[i + 1]); b += Int(src[i + 2])
                                i += 3
                            }
                        }
                        let n = (y1 - y0) * (x1 - x0)
                        let o = (y * ow + x) * 3
                        dst[o] = UInt8((r + n / 2) / n)
                        dst[o + 1] = UInt8((g + n / 2) / n)
                        dst[o + 2] = UInt8((b + n / 2) / n)
                    }
                }
            }
        }
        return (out, ow, oh)
    }
}
