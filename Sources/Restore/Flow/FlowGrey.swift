/// The small grey images Farneback runs on.
public enum FlowGrey {
    /// The model's flow images are 64×64 greys of the 256×256 crops.
    public static let modelCropSide = 256
    public static let modelSide = 64

    /// training/data.py's grey for the model's flow input, bit for bit: numpy's
    /// `crop.astype(float32) @ [0.299, 0.587, 0.114]`, `.reshape(64, 4, 64, 4).mean((1, 3))`,
    /// `clip(floor(g + 0.5), 0, 255)`, all in float32.
    ///
    /// Bit-for-bit matters because a few 4×4 blocks have a mean exactly on .5
    /// (299 ΣR + 587 ΣG + 114 ΣB ≡ 8000 mod 16000), where float32 rounding in numpy's order
    /// decides the grey level (1 pixel in 50 real crops measured; the fixtures add a crop made
    /// of such blocks only). That order, measured and checked on every fixture by
    /// Tests/Fixtures/flow/make_flow_fixtures.py: the matmul goes to OpenBLAS sgemv, which for
    /// the crops training makes (data.crop's x-major layout) computes
    /// fma(B, 0.114, fma(R, 0.299, G·0.587)); the mean sums each 4-pixel row of a block left to
    /// right, then the four row sums top to bottom, then divides by 16. The fmas are done here
    /// in Double and rounded once, which is exact: every intermediate is a multiple of 2⁻²⁷
    /// below 2⁹, 36 bits, so the Double sum is the exact one and its rounding to Float is the
    /// fma's (`Float.addingProduct` without FMA enabled at compile time would be a libm call
    /// per pixel).
    /// - Parameters:
    ///   - crop: 256×256 packed RGB bytes.
    ///   - grey: receives 64×64 bytes (resized if needed).
    /// - Throws: `FlowError.wrongSize` if the crop is not 256×256×3 bytes.
    public static func modelGrey(crop: [UInt8], into grey: inout [UInt8]) throws(FlowError) {
        let side = modelCropSide, out = modelSide
        try FlowError.check("flow grey crop (256×256 RGB)", count: crop.count, expected: side * side * 3)
        if grey.count != out * out { grey = [UInt8](repeating: 0, count: out * out) }
        let w0 = Double(Float(0.299)), w1 = Float(0.587), w2 = Double(Float(0.114))
        crop.withUnsafeBufferPointer { src in
            grey.withUnsafeMutableBufferPointer { dst in
                for by in 0..<out {
                    for bx in 0..<out {
                        var total: Float = 0
                        for r in 0..<4 {
                            var row: Float = 0
                            var o = ((by * 4 + r) * side + bx * 4) * 3
                            for c in 0..<4 {
                                let green = Float(src[o + 1]) * w1
                                let gr = Float(Double(src[o]) * w0 + Double(green))
                                let p = Float(Double(src[o + 2]) * w2 + Double(gr))
                                row = c == 0 ? p : row + p
                                o += 3
                            }
                            total = r == 0 ? row : total + row
                        }
                        let g = (total / 16 + 0.5).rounded(.down)
                        dst[by * out + bx] = UInt8(min(max(g, 0), 255))
                    }
                }
            }
        }
    }

    /// A grey `side × side` image of a restored face for the smoothing flow: planar RGB floats
    /// in [0, 1] (`3 × faceSide × faceSide`), the same luma weights, a box mean over
    /// faceSide / side pixels, rounded. No parity constraint here, only consistency from frame
    /// to frame.
    /// - Throws: `FlowError.wrongSize` if `face` does not hold 3·faceSide² values;
    ///   `.invalidParameter` if `side` does not divide `faceSide`.
    public static func restoredGrey(face: [Float], faceSide: Int, side: Int, into grey: inout [UInt8]) throws(FlowError) {
        guard side > 0, faceSide >= side, faceSide % side == 0 else {
            throw .invalidParameter("flow grey side \(side) does not divide the face side \(faceSide)")
        }
        try FlowError.check("restored face (3×\(faceSide)×\(faceSide) planar)", count: face.count,
                            expected: 3 * faceSide * faceSide)
        if grey.count != side * side { grey = [UInt8](repeating: 0, count: side * side) }
        let k = faceSide / side, plane = faceSide * faceSide
        let scale = 255 / Float(k * k)
        face.withUnsafeBufferPointer { src in
            grey.withUnsafeMutableBufferPointer { dst in
                for by in 0..<side {
                    for bx in 0..<side {
                        var sum: Float = 0
                        for y in (by * k)..<(by * k + k) {
                            let o = y * faceSide + bx * k
                            for x in o..<(o + k) {
                                sum += 0.299 * src[x] + 0.587 * src[plane + x] + 0.114 * src[2 * plane + x]
                            }
                        }
                        let g = (sum * scale + 0.5).rounded(.down)
                        // NaN (a broken restored face) becomes 0 rather than trapping.
                        dst[by * side + bx] = g >= 255 ? 255 : (g > 0 ? UInt8(g) : 0)
                    }
                }
            }
        }
    }
}
