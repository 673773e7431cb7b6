/// The LQ encoder's convolutions that bfloat16 speeds up (`BF16Convolution.pays`: the
/// realtime profile's 32² and 16² levels), as oneDNN primitives for one workspace; nil: float32.
final class BF16Encoder {
    let down: [BF16Convolution?]
    let residuals: [[BF16ResidualPair?]]

    init(_ encoder: EncoderNetwork, context: DnnlContext) throws(ModelError) {
        var down: [BF16Convolution?] = [], residuals: [[BF16ResidualPair?]] = []
        for i in 0..<4 {
            let s = encoder.side(level: i)
            down.append(BF16Convolution.pays(encoder.down[i])
                ? try BF16Convolution(encoder.down[i], height: 2 * s, width: 2 * s, relu: true, context: context)
                : nil)
            var blocks: [BF16ResidualPair?] = []
            for block in encoder.res[i] { blocks.append(try block.bfloat16(side: s, context: context)) }
            residuals.append(blocks)
        }
        self.down = down
        self.residuals = residuals
    }
}
