/// model.py's Decoder: five levels (factors 16, 8, 4, 2, 1) of [nearest ×2 up-sampling (not
/// before the first), 3×3 conv + ReLU, residual blocks, hook], then a 3×3 conv to RGB around 0.5
/// (or, with `output_residual`, added to the input crop), clamped to [0, 1] as the export's
/// `output` convention says.
struct DecoderNetwork: Sendable {
    let convs: [Conv2D]
    let res: [[ResidualBlock]]
    /// The RGB conv, with the + 0.5 folded into its bias unless the output is residual.
    let out: Conv2D
    let channels: [Int]
    let latent: Int

    init(_ reader: inout WeightReader, _ a: ModelArchitecture) throws(ModelError) {
        var convs: [Conv2D] = [], res: [[ResidualBlock]] = []
        for i in 0..<5 {
            let cin = i == 0 ? a.codeDim : a.decChannels[i - 1], c = a.decChannels[i]
            convs.append(try reader.conv2d("decoder.convs.\(i)", in: cin, out: c, kernel: 3))
            var blocks: [ResidualBlock] = []
            for j in 0..<a.decRes[i] { blocks.append(try ResidualBlock(&reader, "decoder.res.\(i).\(j)", channels: c)) }
            res.append(blocks)
        }
        let rgb = try reader.conv2d("decoder.out", in: a.decChannels[4], out: 3, kernel: 3)
        let offset: Float = a.outputResidual ? 0 : 0.5
        out = Conv2D(weights: rgb.weights, bias: rgb.bias.map { $0 + offset }, inChannels: rgb.inChannels, outChannels: 3, kernel: 3)
        self.convs = convs
        self.res = res
        channels = a.decChannels
        latent = a.latent
    }

    /// Side of level i (factor 16 >> i).
    func side(level i: Int) -> Int { latent << i }

    var maxActivation: Int {
        ((0..<5).map { channels[$0] * side(level: $0) * side(level: $0) } + [3 * side(level: 4) * side(level: 4)]).max()!
    }
    var maxScratch: Int {
        let levels = (0..<5).map { i in
            max(convs[i].scratchCount(height: side(level: i), width: side(level: i)),
                res[i].map { $0.scratchCount(side: side(level: i)) }.max() ?? 0)
        }
        return max(levels.max()!, out.scratchCount(height: side(level: 4), width: side(level: 4)))
    }

    /// Decodes `codes` [codeDim][latent][latent]; `hook(level, h)` may rewrite level i's
    /// features [channels[i]][side][side] in place (while `temp` is free). `base` (planar
    /// [3][S][S], the residual output's input crop) is added before clamping. `a`, `b`
    /// ping-pong; returns the image [3][S][S] in one of them. `bf16`: the convolutions it
    /// holds run on their oneDNN bfloat16 twins instead (the hooks and the clamp stay float32).
    func run(_ codes: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
             temp: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, base: UnsafePointer<Float>? = nil,
             bf16: BF16Decoder? = nil, hook: (Int, UnsafeMutablePointer<Float>) -> Void) -> UnsafeMutablePointer<Float> {
        var x = a, y = b
        for i in 0..<5 {
            let s = side(level: i)
            if let fast = bf16?.convs[i] {
                fast.run(i == 0 ? codes : UnsafePointer(x), into: i == 0 ? x : y)
                if i > 0 { swap(&x, &y) }
            } else if i == 0 {
                convs[0].run(codes, height: s, width: s, into: x, relu: true, scratch: scratch)
            } else {
                convs[i].run(x, height: s / 2, width: s / 2, upsample: true, into: y, relu: true, scratch: scratch)
                swap(&x, &y)
            }
            for (j, block) in res[i].enumerated() { block.run(x, side: s, temp: temp, scratch: scratch, bf16: bf16?.residuals[i][j] ?? nil) }
            hook(i, x)
        }
        let s = side(level: 4)
        if let fast = bf16?.out { fast.run(x, into: y) } else { out.run(x, height: s, width: s, into: y, scratch: scratch) }
        if let base {
            for i in 0..<(3 * s * s) { y[i] = min(max(y[i] + base[i], 0), 1) }
        } else {
            for i in 0..<(3 * s * s) { y[i] = min(max(y[i], 0), 1) }
        }
        return y
    }
}
