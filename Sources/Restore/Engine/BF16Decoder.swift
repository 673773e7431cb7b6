/// The decoder's convolutions that bfloat16 speeds up, as oneDNN primitives built for one
/// workspace from the shared float32 model: one set per stream (converted weights and staging
/// buffers, a few MB for the realtime profile) keeps every oneDNN object on one thread. The others
/// stay on the float32 path: nil here.
final class BF16Decoder {
    let convs: [BF16Convolution?]
    let residuals: [[BF16ResidualPair?]]
    let out: BF16Convolution?

    init(_ decoder: DecoderNetwork, context: DnnlContext) throws(ModelError) {
        var convs: [BF16Convolution?] = [], residuals: [[BF16ResidualPair?]] = []
        for i in 0..<5 {
            let s = decoder.side(level: i), input = i == 0 ? s : s / 2
            convs.append(BF16Convolution.pays(decoder.convs[i])
                ? try BF16Convolution(decoder.convs[i], height: input, width: input, upsample: i > 0, relu: true, context: context)
                : nil)
            var blocks: [BF16ResidualPair?] = []
            for block in decoder.res[i] { blocks.append(try block.bfloat16(side: s, context: context)) }
            residuals.append(blocks)
        }
        let s = decoder.side(level: 4)
        out = BF16Convolution.pays(decoder.out) ? try BF16Convolution(decoder.out, height: s, width: s, relu: false, context: context) : nil
        self.convs = convs
        self.residuals = residuals
    }

    /// How many of the decoder's convolutions run in bfloat16, of how many.
    var coverage: (bfloat16: Int, all: Int) {
        let pairs = residuals.flatMap { $0 }
        return (convs.compactMap { $0 }.count + 2 * pairs.compactMap { $0 }.count + (out == nil ? 0 : 1),
                convs.count + 2 * pairs.count + 1)
    }

    /// The kernels oneDNN chose, for the log and the benchmark.
    var implementations: [String] {
        var names: [String] = []
        let all = convs.compactMap { $0 } + residuals.flatMap { $0.compactMap { $0 }.flatMap { [$0.first, $0.second] } } + [out].compactMap { $0 }
        for c in all where !names.contains(c.implementation) { names.append(c.implementation) }
        return names
    }
}
