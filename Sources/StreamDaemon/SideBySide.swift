import Media

/// Puts the input and the restored frame next to each other (input left).
enum SideBySide {
    static func compose(input: VideoFrame, restored: VideoFrame) -> VideoFrame {
        precondition(input.width == restored.width && input.height == restored.height, "side-by-side needs equal sizes")
        let w = input.width, h = input.height, row = w * 3
        var pixels = [UInt8](repeating: 0, count: 2 * row * h)
        pixels.withUnsafeMutableBufferPointer { out in
            input.pixels.withUnsafeBufferPointer { a in
                restored.pixels.withUnsafeBufferPointer { b in
                    for y in 0..<h {
                        (out.baseAddress! + y * 2 * row).update(from: a.baseAddress! + y * row, count: row)
                        (out.baseAddress! + y * 2 * row + row).update(from: b.baseAddress! + y * row, count: row)
                    }
                }
            }
        }
        return VideoFrame(width: 2 * w, height: h, pixels: pixels, pts: restored.pts, duration: restored.duration,
                          sequence: restored.sequence, arrivalNanos: restored.arrivalNanos)
    }
}
