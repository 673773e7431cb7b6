import Media

/// 320×300 frames of deterministic noise at 25 fps: texture for the model where no real face is
/// needed (the tests that use them place the face box themselves).
enum NoiseFrames {
    static func make(_ n: Int) -> [VideoFrame] {
        (0..<n).map { s in
            var g = UInt64(s + 1) &* 0x9E37_79B9_7F4A_7C15
            let px = (0..<(320 * 300 * 3)).map { _ -> UInt8 in
                g = g &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: g >> 56)
            }
            return VideoFrame(width: 320, height: 300, pixels: px, pts: MediaTime(nanoseconds: Int64(s) * 40_000_000),
                              sequence: s, arrivalNanos: 0)
        }
    }
}
