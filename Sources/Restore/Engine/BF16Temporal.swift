/// The 3D-CNN's blocks in bfloat16 for one workspace. A block's output frame t is one 2-D
/// convolution over the kt frames t − kt/2 … t + kt/2 taken as kt·C channels: in the engine's
/// frame-major layout those frames are already contiguous, and zero frames before and after the
/// window stand for the conv3d's zero padding in time. As in the float32 path, each block
/// computes only the frames the next one reads; the 1×1 head that makes the logits stays float32.
final class BF16Temporal {
    private let blocks: [BF16Convolution]
    private let pad: Int
    private let window: Int
    private let frameCount: Int
    /// [pad + window + pad] frames each; the pad frames stay zero.
    private let ping: FloatBuffer
    private let pong: FloatBuffer

    /// nil when the blocks are too narrow to gain from bfloat16 (`BF16Convolution.pays`).
    init?(_ network: TemporalNetwork, side: Int, context: DnnlContext) throws(ModelError) {
        let c = network.channels, kt = network.blocks[0].kernelT
        let stacked = network.blocks.map { block in
            // [kt][out][in·9] (TemporalConv) → [out][kt·in][3][3]: in-channel dt·C + i is frame t+dt−kt/2's channel i.
            var w = [Float](repeating: 0, count: block.weights.count)
            for o in 0..<c {
                for dt in 0..<kt {
                    for k in 0..<(c * 9) { w[(o * kt + dt) * c * 9 + k] = block.weights[(dt * c + o) * c * 9 + k] }
                }
            }
            return Conv2D(weights: w, bias: block.bias, inChannels: kt * c, outChannels: c, kernel: 3)
        }
        guard BF16Convolution.pays(stacked[0]) else { return nil }
        var blocks: [BF16Convolution] = []
        for conv in stacked { blocks.append(try BF16Convolution(conv, height: side, width: side, relu: true, context: context)) }
        self.blocks = blocks
        pad = kt / 2
        window = network.window
        frameCount = network.frameCount
        ping = FloatBuffer(count: (window + 2 * pad) * frameCount)
        pong = FloatBuffer(count: (window + 2 * pad) * frameCount)
    }

    /// The last block's output for the centre frame, [C][plane], from the window's projections
    /// (`frame(t)`, t = 0 oldest); valid until the next call.
    func run(frame: (Int) -> UnsafePointer<Float>) -> UnsafePointer<Float> {
        let centre = window / 2
        for t in 0..<window { (ping.pointer + (pad + t) * frameCount).update(from: frame(t), count: frameCount) }
        var source = ping.pointer, target = pong.pointer
        for (b, block) in blocks.enumerated() {
            let reach = pad * (blocks.count - 1 - b)
            // Output t reads slots t … t + 2·pad: frames t − pad … t + pad, zeros outside the window.
            for t in max(0, centre - reach)..<min(window, centre + reach + 1) {
                block.run(source + t * frameCount, into: target + (pad + t) * frameCount)
            }
            swap(&source, &target)
        }
        return UnsafePointer(source + (pad + centre) * frameCount)
    }
}
