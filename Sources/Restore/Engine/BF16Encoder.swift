/// The LQ encoder's convolutions that bfloat16 speeds up (`BF16Convolution.pays`: the
/// realtime profile's 32² and 16² levels), as oneDNN primitives for one workspace; nil: float32.
final class BF16Encoder {
    let down: [BF16Convolution?]
    let residuals: [[(first: BF16Convolution, second: BF16Convolution)?]]

    init(_ encoder: EncoderNetwork, context: DnnlContext) throws(ModelError) {
        var down: [BF16Convolution?] = [], residuals: [[(first: BF16Convolution, second: BF16Convolution)?]] = []
        for i in 0..<4 {
            let s = encoder.side(level: i)
            down.append(BF16Convolution.pays(encoder.down[i])
                ? try BF16Convolution(encoder.down[i], height: 2 * s, width: 2 * s, relu: true, context: context)
                : nil)
            var blocks: [(first: BF16Convolution, second: BF16Convolution)?] = []
            for block in encoder.res[i] {
                blocks.append(BF16Convolution.pays(block.conv1)
                    ? (try BF16Convolution(block.conv1, height: s, width: s, relu: true, context: context),
                       try BF16Convolution(block.conv2, height: s, width: s, residual: true, relu: true, context: context))
                    : nil)
            }
            residuals.append(blocks)
        }
        self.down = down
        self.residuals = residuals
    }
}
