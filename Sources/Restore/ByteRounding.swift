/// Rounding of a sample value to a byte, half away from zero, as `rounded()` does.
///
/// Why not `rounded()`: Swift builds for baseline x86-64 (no SSE4.1 `roundsd`), so every
/// `rounded()` is a call into libm; in the per-pixel loops of the crop, the paste and the
/// downscale those calls were a tenth of the restoration thread. Truncation is one instruction.
enum ByteRounding {
    /// `UInt8(min(255, max(0, x.rounded())))`, bit for bit, without a libm call.
    @inline(__always)
    static func byte(_ x: Double) -> UInt8 {
        let v = min(255, max(0, x))
        let t = Int(v)
        return UInt8(v - Double(t) >= 0.5 ? t + 1 : t)
    }

    /// 32-bit and unchecked: a packed float-to-int32 conversion exists on baseline x86-64 and a
    /// 64-bit one does not, so this form lets a loop of them vectorise.
    @inline(__always)
    static func byte(_ x: Float) -> UInt8 {
        let v = min(255, max(0, x))
        let t = Int32(v)
        return UInt8(truncatingIfNeeded: v - Float(t) >= 0.5 ? t &+ 1 : t)
    }

    /// `Int(x.rounded(.down))` for any finite x, without a libm call.
    @inline(__always)
    static func floor(_ x: Double) -> Int {
        let t = Int(x)
        return Double(t) > x ? t - 1 : t
    }
}
