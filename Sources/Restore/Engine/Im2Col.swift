/// The im2col matrix of a k×k convolution with padding k/2 over a band of output rows: row
/// (ci, ky, kx) (PyTorch's weight order), column (output row, output column), zero where the
/// kernel reaches outside the input. With `upsample` the input is read as its nearest ×2
/// up-sampling without materialising it.
enum Im2Col {
    /// `input` [channels][height][width] (before up-sampling); `cols` receives
    /// channels·k·k rows of rows.count·outWidth floats.
    static func fill(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int, stride: Int,
                     upsample: Bool, rows: Range<Int>, outWidth ow: Int, into cols: UnsafeMutablePointer<Float>) {
        if upsample && stride == 1 {
            fillUpsampled(input, channels: channels, height: height, width: width, kernel: kernel, rows: rows, into: cols)
            return
        }
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
                        } else if stride == 2 && !upsample {
                            // The encoder's down-sampling convs. A literal stride lets LLVM
                            // vectorise the gather (even lanes of two loads); the general form
                            // below stays scalar.
                            let tap = src + (kx - pad)
                            for x in x0..<x1 { dst[x] = tap[2 * x] }
                        } else {
                            for x in x0..<x1 { dst[x] = src[(x * stride + kx - pad) >> shift] }
                        }
                        (dst + x1).update(repeating: 0, count: ow - x1)
                    }
                }
            }
        }
    }

    /// Stride 1 on the ×2 up-sampled input (the decoder's convs; output side = up-sampled side).
    /// A per-element gather is several times slower than copying, so each up-sampled row is
    /// written once, into the centre tap's row (kx = k/2, no shift), and the other taps copy it
    /// shifted.
    private static func fillUpsampled(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int,
                                      rows: Range<Int>, into cols: UnsafeMutablePointer<Float>) {
        let ow = 2 * width, vh = 2 * height, pad = kernel / 2, n = rows.count * ow
        for ci in 0..<channels {
            let plane = input + ci * height * width
            for ky in 0..<kernel {
                let tapRows = cols + (ci * kernel + ky) * kernel * n
                for y in rows {
                    let at = (y - rows.lowerBound) * ow
                    let iy = y + ky - pad
                    guard iy >= 0 && iy < vh else {
                        for kx in 0..<kernel { (tapRows + kx * n + at).update(repeating: 0, count: ow) }
                        continue
                    }
                    let src = plane + (iy >> 1) * width, centre = tapRows + pad * n + at
                    for j in 0..<width {
                        centre[2 * j] = src[j]
                        centre[2 * j + 1] = src[j]
                    }
                    for kx in 0..<kernel where kx != pad {
                        let dst = tapRows + kx * n + at, shift = kx - pad
                        let x0 = max(0, -shift), x1 = min(ow, ow - shift)
                        dst.update(repeating: 0, count: x0)
                        (dst + x0).update(from: centre + (x0 + shift), count: x1 - x0)
                        (dst + x1).update(repeating: 0, count: ow - x1)
                    }
                }
            }
        }
    }
}
