import COpenBLAS

/// PyTorch's `Conv3d(c, c, (kt, 3, 3), padding=(kt/2, 1, 1))` followed by `BatchNorm3d` in eval
/// mode, over a short window of frames. The BatchNorm is folded into the conv at load. Frames are
/// stored frame-major ([frame][channel][h][w], one frame = one FrameFeatures' projection); each
/// input frame gets one 3×3 im2col and every output frame is the sum of kt sgemms, one per time
/// tap, over the frames that exist: zero padding at the window ends contributes nothing, exactly
/// as in PyTorch.
struct TemporalConv: Sendable {
    let channels: Int
    let kernelT: Int
    /// [kernelT][out][in · 9], BatchNorm folded.
    let weights: [Float]
    let bias: [Float]

    /// - Parameters:
    ///   - weights: PyTorch's [out][in][kernelT][3][3].
    ///   - bn: BatchNorm3d weight, bias, running mean, running variance; `eps` from the metadata.
    init(weights w: [Float], bias b: [Float], bnWeight: [Float], bnBias: [Float], bnMean: [Float], bnVariance: [Float],
         eps: Double, channels c: Int, kernelT kt: Int) {
        precondition(w.count == c * c * kt * 9 && [b, bnWeight, bnBias, bnMean, bnVariance].allSatisfy { $0.count == c },
                     "temporal conv parameters do not match \(c) channels, kernel \(kt)")
        var folded = [Float](repeating: 0, count: w.count)
        var foldedBias = [Float](repeating: 0, count: c)
        for o in 0..<c {
            // In double: the folded weight is then the float nearest to PyTorch's two steps.
            let scale = Double(bnWeight[o]) / (Double(bnVariance[o]) + eps).squareRoot()
            foldedBias[o] = Float((Double(b[o]) - Double(bnMean[o])) * scale + Double(bnBias[o]))
            for i in 0..<c {
                for t in 0..<kt {
                    for j in 0..<9 {
                        folded[(t * c + o) * c * 9 + i * 9 + j] = Float(Double(w[((o * c + i) * kt + t) * 9 + j]) * scale)
                    }
                }
            }
        }
        channels = c
        kernelT = kt
        weights = folded
        bias = foldedBias
    }

    /// Scratch floats of one input frame's im2col.
    func columnsPerFrame(plane: Int) -> Int { channels * 9 * plane }

    /// Input frames that output frames `outputs` read, within `frames`.
    func inputFrames(for outputs: Range<Int>, frames: Int) -> Range<Int> {
        max(0, outputs.lowerBound - kernelT / 2)..<min(frames, outputs.upperBound + kernelT / 2)
    }

    /// im2col of one input frame [channels][height][width] into its slot of `columns`.
    func im2col(frame: UnsafePointer<Float>, height: Int, width: Int, into columns: UnsafeMutablePointer<Float>) {
        Im2Col.fill(frame, channels: channels, height: height, width: width, kernel: 3, stride: 1, upsample: false,
                    rows: 0..<height, outWidth: width, into: columns)
    }

    /// Output frames `outputs` of a `frames`-frame window into `output` (frame-major, frame t at
    /// t · channels · plane), from `columns` holding the im2col of every frame in
    /// `inputFrames(for: outputs)` at frame · columnsPerFrame. With `relu` the block's ReLU too.
    func run(columns: UnsafePointer<Float>, frames: Int, plane: Int, outputs: Range<Int>,
             into output: UnsafeMutablePointer<Float>, relu: Bool) {
        let k = channels * 9, perFrame = columnsPerFrame(plane: plane), pad = kernelT / 2
        weights.withUnsafeBufferPointer { w in
            for t in outputs {
                let out = output + t * channels * plane
                for o in 0..<channels { (out + o * plane).update(repeating: bias[o], count: plane) }
                for dt in 0..<kernelT {
                    let s = t + dt - pad
                    guard s >= 0 && s < frames else { continue }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(channels), Int32(plane), Int32(k),
                                1, w.baseAddress! + dt * channels * k, Int32(k), columns + s * perFrame, Int32(plane),
                                1, out, Int32(plane))
                }
                if relu { ReLU.apply(out, count: channels * plane) }
            }
        }
    }
}
