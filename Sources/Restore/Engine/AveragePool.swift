/// PyTorch's `avg_pool2d(x, k)` (stride k, no padding) on planar CHW: the mean of each k×k block;
/// rows and columns beyond a multiple of k are dropped, as PyTorch does.
enum AveragePool {
    /// `input` [channels][height][width] → `output` [channels][height / k][width / k].
    static func apply(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel k: Int,
                      into output: UnsafeMutablePointer<Float>) {
        let oh = height / k, ow = width / k
        // PyTorch sums the block and divides by its size (not a product with 1/k²).
        let size = Float(k * k)
        for c in 0..<channels {
            let src = input + c * height * width, dst = output + c * oh * ow
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum: Float = 0
                    for dy in 0..<k {
                        let row = src + (oy * k + dy) * width + ox * k
                        for dx in 0..<k { sum += row[dx] }
                    }
                    dst[oy * ow + ox] = sum / size
                }
            }
        }
    }
}
