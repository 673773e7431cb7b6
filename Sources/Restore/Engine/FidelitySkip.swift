import COpenBLAS

/// Restorer's fidelity skip at one decoder level: h ← h + w · fuse(concat(h, e)), with `fuse` a
/// 1×1 conv and e the LQ encoder's features at the same factor. The concatenation is never
/// built: the fuse weights are applied as two column blocks of one matrix (sgemm's lda).
struct FidelitySkip: Sendable {
    let factor: Int
    let channels: Int
    let encoderChannels: Int
    let strength: Float
    /// [channels][channels + encoderChannels]: the decoder's columns, then the encoder's.
    let weights: [Float]
    let bias: [Float]

    init(_ reader: inout WeightReader, factor: Int, channels c: Int, encoderChannels e: Int, strength: Float) throws(ModelError) {
        weights = try reader.take("fuse.\(factor).weight", [c, c + e, 1, 1])
        bias = try reader.take("fuse.\(factor).bias", [c])
        self.factor = factor
        channels = c
        encoderChannels = e
        self.strength = strength
    }

    /// `h` [channels][plane] in place; `skip` [encoderChannels][plane]; `temp` [channels][plane].
    func apply(_ h: UnsafeMutablePointer<Float>, skip: UnsafePointer<Float>, plane: Int, temp: UnsafeMutablePointer<Float>) {
        let c = channels, lda = Int32(c + encoderChannels)
        for o in 0..<c { (temp + o * plane).update(repeating: bias[o], count: plane) }
        weights.withUnsafeBufferPointer { w in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(c), Int32(plane), Int32(c),
                        1, w.baseAddress, lda, h, Int32(plane), 1, temp, Int32(plane))
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(c), Int32(plane), Int32(encoderChannels),
                        1, w.baseAddress! + c, lda, skip, Int32(plane), 1, temp, Int32(plane))
        }
        for i in 0..<(c * plane) { h[i] += strength * temp[i] }
    }
}
