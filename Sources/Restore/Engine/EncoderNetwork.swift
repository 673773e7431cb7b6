/// model.py's Encoder without `to_code` (stage 2 uses only the features): four levels of
/// [3×3 stride-2 conv + ReLU, residual blocks] from the crop minus 0.5, giving features at
/// factors 2, 4, 8, 16.
struct EncoderNetwork: Sendable {
    let down: [Conv2D]
    let res: [[ResidualBlock]]
    let channels: [Int]
    let imageSize: Int

    init(_ reader: inout WeightReader, _ a: ModelArchitecture) throws(ModelError) {
        var down: [Conv2D] = [], res: [[ResidualBlock]] = []
        for i in 0..<4 {
            let cin = i == 0 ? 3 : a.encChannels[i - 1], c = a.encChannels[i]
            down.append(try reader.conv2d("encoder.down.\(i)", in: cin, out: c, kernel: 3, stride: 2))
            var blocks: [ResidualBlock] = []
            for j in 0..<a.encRes[i] { blocks.append(try ResidualBlock(&reader, "encoder.res.\(i).\(j)", channels: c)) }
            res.append(blocks)
        }
        // Trained and exported, but stage 2 never quantises the LQ latent: checked, not kept.
        _ = try reader.conv2d("encoder.to_code", in: a.encChannels[3], out: a.codeDim, kernel: 1)
        self.down = down
        self.res = res
        channels = a.encChannels
        imageSize = a.imageSize
    }

    /// Side of level i's features (factor 2^(i+1)).
    func side(level i: Int) -> Int { imageSize >> (i + 1) }

    /// Largest activation (floats) the encoder reads or writes, its input included.
    var maxActivation: Int {
        ((0..<4).map { channels[$0] * side(level: $0) * side(level: $0) } + [3 * imageSize * imageSize]).max()!
    }
    var maxScratch: Int {
        (0..<4).map { i in
            max(down[i].scratchCount(height: 2 * side(level: i), width: 2 * side(level: i)),
                res[i].map { $0.scratchCount(side: side(level: i)) }.max() ?? 0)
        }.max()!
    }

    /// Runs on `input` [3][S][S] (already x − 0.5) held in `a`; `visit(level, features)` sees each
    /// level's output. `a` and `b` ping-pong; returns the last level's features (in `a` or `b`).
    /// `bf16`: the convolutions it holds run on their oneDNN bfloat16 twins instead.
    func run(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, temp: UnsafeMutablePointer<Float>,
             scratch: UnsafeMutablePointer<Float>, bf16: BF16Encoder? = nil,
             visit: (Int, UnsafePointer<Float>) -> Void) -> UnsafePointer<Float> {
        var x = a, y = b, side = imageSize
        for i in 0..<4 {
            if let fast = bf16?.down[i] {
                fast.run(x, into: y)
            } else {
                down[i].run(x, height: side, width: side, into: y, relu: true, scratch: scratch)
            }
            side = self.side(level: i)
            for (j, block) in res[i].enumerated() {
                block.run(y, side: side, temp: temp, scratch: scratch, bf16: bf16?.residuals[i][j] ?? nil)
            }
            visit(i, y)
            swap(&x, &y)
        }
        return UnsafePointer(x)
    }
}
