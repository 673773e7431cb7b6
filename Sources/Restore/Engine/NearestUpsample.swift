/// PyTorch's `interpolate(scale_factor=2, mode="nearest")` on planar CHW: output (y, x) takes
/// input (y / 2, x / 2).
enum NearestUpsample {
    /// `input` [channels][height][width] → `output` [channels][2·height][2·width] (distinct buffers).
    static func apply(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                      into output: UnsafeMutablePointer<Float>) {
        let ow = 2 * width
        for c in 0..<channels {
            let src = input + c * height * width, dst = output + c * 4 * height * width
            for y in 0..<height {
                let row = dst + 2 * y * ow, s = src + y * width
                for x in 0..<width {
                    row[2 * x] = s[x]
                    row[2 * x + 1] = s[x]
                }
                (row + ow).update(from: row, count: ow)
            }
        }
    }
}
