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
        if let k = uniformBlock(width: frame.width, height: frame.height, outWidth: ow, outHeight: oh) {
            downscale(frame.pixels, width: w, block: k, into: &out, outWidth: ow, outHeight: oh)
            return (out, ow, oh)
        }
        // Column spans and their divisors are the same in every row: computed once per call.
        var xs0 = [Int](repeating: 0, count: ow), xs1 = xs0
        for x in 0..<ow {
            xs0[x] = Int(Double(x) * sx)
            xs1[x] = max(xs0[x] + 1, min(w, Int(Double(x + 1) * sx)))
        }
        frame.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // Blocks have one or two sizes: the divisor is rebuilt only when the size changes.
                var divide = ExactDivision(1)
                for y in 0..<oh {
                    let y0 = Int(Double(y) * sy), y1 = max(y0 + 1, min(frame.height, Int(Double(y + 1) * sy)))
                    for x in 0..<ow {
                        let x0 = xs0[x], x1 = xs1[x]
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
                        if n != divide.n { divide = ExactDivision(n) }
                        dst[o] = UInt8(divide(r + n / 2))
                        dst[o + 1] = UInt8(divide(g + n / 2))
                        dst[o + 2] = UInt8(divide(b + n / 2))
                    }
                }
            }
        }
        return (out, ow, oh)
    }
}

extension FrameDownscaler {
    /// The side k when every output pixel covers the same k×k block (720p → 640 wide is k = 2).
    static func uniformBlock(width: Int, height: Int, outWidth: Int, outHeight: Int) -> Int? {
        let k = width / outWidth
        return k >= 2 && k < 64 && width == outWidth * k && height == outHeight * k ? k : nil
    }

    /// The same means for uniform k×k blocks, row-summed first. Why a second path: the general
    /// loop's per-pixel spans cost 1.6 ms a 720p frame on the analysis thread, every frame; summing
    /// k source rows is a straight loop the compiler vectorises, and leaves k adds per channel.
    static func downscale(_ src: [UInt8], width w: Int, block k: Int, into out: inout [UInt8], outWidth ow: Int, outHeight oh: Int) {
        let n = k * k
        let divide = ExactDivision(n)
        var rows = [UInt32](repeating: 0, count: w * 3)
        src.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                rows.withUnsafeMutableBufferPointer { acc in
                    let stride = w * 3
                    for y in 0..<oh {
                        let first = y * k * stride
                        for i in 0..<stride { acc[i] = UInt32(src[first + i]) }
                        for r in 1..<k {
                            let row = first + r * stride
                            for i in 0..<stride { acc[i] &+= UInt32(src[row + i]) }
                        }
                        let o = y * ow * 3
                        for x in 0..<ow {
                            var r = 0, g = 0, b = 0
                            var i = x * k * 3
                            for _ in 0..<k {
                                r += Int(acc[i]); g += Int(acc[i + 1]); b += Int(acc[i + 2])
                                i += 3
                            }
                            dst[o + x * 3] = UInt8(truncatingIfNeeded: divide(r + n / 2))
                            dst[o + x * 3 + 1] = UInt8(truncatingIfNeeded: divide(g + n / 2))
                            dst[o + x * 3 + 2] = UInt8(truncatingIfNeeded: divide(b + n / 2))
                        }
                    }
                }
            }
        }
    }
}

/// ⌊x / n⌋ for a block's rounded channel mean (0 ≤ x ≤ 256·n), by a multiply and a shift.
///
/// Why: three integer divisions per output pixel were most of the downscale's time. With
/// m = ⌈2^32 / n⌉ the error term is below 1/n as long as x·n < 2^32 (Granlund and Montgomery,
/// PLDI 1994), which holds for x ≤ 256·n when n < 4096 pixels per block; larger blocks (a frame
/// over 40 000 px wide) divide plainly.
struct ExactDivision {
    let n: Int
    private let magic: UInt64
    @inline(__always)
    init(_ n: Int) {
        self.n = n
        magic = n < 4096 ? ((UInt64(1) << 32) + UInt64(n) - 1) / UInt64(n) : 0
    }
    @inline(__always)
    func callAsFunction(_ x: Int) -> Int { magic != 0 ? Int((UInt64(x) &* magic) >> 32) : x / n }
}
