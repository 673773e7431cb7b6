/// The im2col matrix of a k×k convolution with padding k/2 over a band of output rows: row
/// (ci, ky, kx) (PyTorch's weight order), column (output row, output column), zero where the
/// kernel reaches outside the input. With `upsample` the input is read as its nearest ×2
/// up-sampling without materialising it.
enum Im2Col {
    /// `input` [channels][height][width] (before up-sampling); `cols` receives
    /// channels·k·k rows of rows.count·outWidth floats.
    static func fill(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int, stride: Int,
                     upsample: Bool, rows: Range<Int>, outWidth ow: Int, into cols: UnsafeMutablePointer<Float>) {
        let vh = upsample ? 2 * height : height, vw = upsample ? 2 * width : width
        let pad = kernel / 2, n = rows.count * ow, shift = upsample ? 1 : 0
        var r = 0
        for ci in 0..<channels {
            let plane = input + ci * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let dstRow = cols + r * n
                    r += 1
                    // Output columns whose shifted input column lies inside the (virtual) input.
                    let x0 = min(ow, max(0, (pad - kx + stride - 1) / stride))
                    let x1 = max(x0, min(ow, (vw + pad - kx + stride - 1) / stride))
                    for y in rows {
                        let dst = dstRow + (y - rows.lowerBound) * ow
                        let iy = y * stride + ky - pad
                        guard iy >= 0 && iy < vh else {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + (iy >> shift) * width
                        dst.update(repeating: 0, count: x0)
                        if stride == 1 && !upsample {
                            (dst + x0).update(from: src + (x0 + kx - pad), count: x1 - x0)
                        } else {
                            for x in x0..<x1 { dst[x] = src[(x * stride + kx - pad) >> shift] }
                        }
                        (dst + x1).update(repeating: 0, count: ow - x1)
                    }
                }
            }
        }
    }
}
