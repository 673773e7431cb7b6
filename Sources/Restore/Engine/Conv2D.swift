import COpenBLAS

/// 2-D convolution as PyTorch's `Conv2d(cin, cout, k, stride, k // 2)` on planar CHW float32,
/// computed as im2col + `cblas_sgemm` (1×1 stride 1: `sgemm` on the input itself).
///
/// The im2col matrix is built for a band of output rows at a time so that it stays in the L2
/// cache while sgemm reads it (the full matrix of a 256² layer is tens of megabytes). Optional
/// fusions save whole passes over the activations: a nearest ×2 up-sampling of the input (the
/// decoder up-samples before every conv), a residual added to the output (which may be the output
/// buffer itself) and a ReLU.
struct Conv2D: Sendable {
    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    let stride: Int
    /// [outChannels][inChannels · kernel · kernel], PyTorch's layout (= the im2col row order).
    let weights: [Float]
    let bias: [Float]

    /// Floats of im2col scratch per band, at most; a band is at least one output row.
    static let bandFloats = 48 * 1024

    init(weights: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1) {
        precondition(kernel % 2 == 1 && (stride == 1 || stride == 2), "unsupported conv \(kernel)×\(kernel) stride \(stride)")
        precondition(weights.count == outChannels * inChannels * kernel * kernel && bias.count == outChannels,
                     "conv weights do not match \(outChannels)×\(inChannels)×\(kernel)×\(kernel)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.weights = weights
        self.bias = bias
    }

    var isPointwise: Bool { kernel == 1 && stride == 1 }

    /// Output side for an input side `n` (already up-sampled when the input is).
    func outputSide(_ n: Int) -> Int { (n + 2 * (kernel / 2) - kernel) / stride + 1 }

    /// Scratch floats `run` needs for an (up-sampled) input of height × width.
    func scratchCount(height: Int, width: Int) -> Int {
        if isPointwise { return 0 }
        let rows = inChannels * kernel * kernel
        return rows * bandRows(outHeight: outputSide(height), outWidth: outputSide(width)) * outputSide(width)
    }

    private func bandRows(outHeight: Int, outWidth: Int) -> Int {
        max(1, min(outHeight, Self.bandFloats / (inChannels * kernel * kernel * outWidth)))
    }

    /// output = relu?(conv(up?(input)) + residual?). `input` is [inChannels][height][width]
    /// (before the up-sampling); `output` and `residual` are [outChannels][h'][w'] and may be the
    /// same buffer, but not `input`'s.
    func run(_ input: UnsafePointer<Float>, height: Int, width: Int, upsample: Bool = false,
             into output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil, relu: Bool = false,
             scratch: UnsafeMutablePointer<Float>) {
        let vh = upsample ? 2 * height : height, vw = upsample ? 2 * width : width
        let oh = outputSide(vh), ow = outputSide(vw), plane = oh * ow
        let k = inChannels * kernel * kernel
        if isPointwise && !upsample {
            prefill(output, residual, plane: plane, from: 0, count: plane)
            weights.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(plane), Int32(k),
                            1, w.baseAddress, Int32(k), input, Int32(plane), 1, output, Int32(plane))
            }
            if relu { ReLU.apply(output, count: outChannels * plane) }
            return
        }
        let band = bandRows(outHeight: oh, outWidth: ow)
        var y0 = 0
        while y0 < oh {
            let y1 = min(oh, y0 + band), n = (y1 - y0) * ow
            Im2Col.fill(input, channels: inChannels, height: height, width: width, kernel: kernel, stride: stride,
                        upsample: upsample, rows: y0..<y1, outWidth: ow, into: scratch)
            prefill(output, residual, plane: plane, from: y0 * ow, count: n)
            weights.withUnsafeBufferPointer { w in
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(n), Int32(k),
                            1, w.baseAddress, Int32(k), scratch, Int32(n), 1, output + y0 * ow, Int32(plane))
            }
            if relu {
                for c in 0..<outChannels { ReLU.apply(output + c * plane + y0 * ow, count: n) }
            }
            y0 = y1
        }
    }

    /// Bias (+ residual) into the output columns [from, from + count) of every channel, for sgemm
    /// to accumulate onto.
    private func prefill(_ output: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?,
                         plane: Int, from: Int, count: Int) {
        for c in 0..<outChannels {
            let dst = output + c * plane + from, b = bias[c]
            if let residual {
                let src = residual + c * plane + from
                for i in 0..<count { dst[i] = src[i] + b }
            } else {
                dst.update(repeating: b, count: count)
            }
        }
    }
}
