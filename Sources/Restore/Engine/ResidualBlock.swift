/// model.py's ResBlock: x ← relu(x + conv2(relu(conv1(x)))), two 3×3 convs of equal width.
struct ResidualBlock: Sendable {
    let conv1: Conv2D
    let conv2: Conv2D

    init(_ reader: inout WeightReader, _ name: String, channels c: Int) throws(ModelError) {
        conv1 = try reader.conv2d("\(name).conv1", in: c, out: c, kernel: 3)
        conv2 = try reader.conv2d("\(name).conv2", in: c, out: c, kernel: 3)
    }

    func scratchCount(side: Int) -> Int { conv1.scratchCount(height: side, width: side) }

    /// In place on `x` [c][side][side]; `temp` holds the inner activation.
    /// `bf16`: the same two convolutions as oneDNN bfloat16 primitives, used instead.
    func run(_ x: UnsafeMutablePointer<Float>, side: Int, temp: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
             bf16: BF16ResidualPair? = nil) {
        if let bf16 {
            bf16.first.run(x, into: temp)
            bf16.second.run(temp, into: x)
            return
        }
        conv1.run(x, height: side, width: side, into: temp, relu: true, scratch: scratch)
        conv2.run(temp, height: side, width: side, into: x, residual: x, relu: true, scratch: scratch)
    }
}

/// A residual block's two convolutions as oneDNN bfloat16 primitives.
typealias BF16ResidualPair = (first: BF16Convolution, second: BF16Convolution)

extension ResidualBlock {
    /// The block's bfloat16 twin at side², or nil when its convolutions stay float32
    /// (`BF16Convolution.pays`).
    func bfloat16(side s: Int, context: DnnlContext) throws(ModelError) -> BF16ResidualPair? {
        guard BF16Convolution.pays(conv1) else { return nil }
        return (try BF16Convolution(conv1, height: s, width: s, relu: true, context: context),
                try BF16Convolution(conv2, height: s, width: s, residual: true, relu: true, context: context))
    }
}
