import COpenBLAS

/// Restorer's code predictor: `in_proj` (a 1×1×1 conv3d, i.e. per frame) on the concatenation
/// [LQ encoder features at 16, FHOG pooled to the latent grid, audio embedding broadcast], the
/// temporal blocks over the window, and the 1×1 `head` to code logits of the centre frame.
struct TemporalNetwork: Sendable {
    /// [channels][visualInputs + audioInputs]: encoder, FHOG, audio columns.
    let projection: [Float]
    let projectionBias: [Float]
    let visualInputs: Int
    let audioInputs: Int
    let channels: Int
    let blocks: [TemporalConv]
    let head: Conv2D
    let window: Int
    let plane: Int

    init(_ reader: inout WeightReader, _ a: ModelArchitecture, eps: Double) throws(ModelError) {
        let c = a.temporalChannels, kt = a.kernelT
        visualInputs = a.encChannels[3] + ModelArchitecture.fhogPlanes
        audioInputs = a.useAudio ? a.audioDim : 0
        projection = try reader.take("in_proj.weight", [c, visualInputs + audioInputs, 1, 1, 1])
        projectionBias = try reader.take("in_proj.bias", [c])
        var blocks: [TemporalConv] = []
        for i in 0..<3 {  // Restorer.blocks: always three
            let p = "blocks.\(i)"
            blocks.append(TemporalConv(
                weights: try reader.take("\(p).conv.weight", [c, c, kt, 3, 3]), bias: try reader.take("\(p).conv.bias", [c]),
                bnWeight: try reader.take("\(p).bn.weight", [c]), bnBias: try reader.take("\(p).bn.bias", [c]),
                bnMean: try reader.take("\(p).bn.running_mean", [c]),
                bnVariance: try reader.takePositive("\(p).bn.running_var", [c], above: -Float(eps)),
                eps: eps, channels: c, kernelT: kt))
        }
        self.blocks = blocks
        head = try reader.conv2d("head", in: c, out: a.codes, kernel: 1)
        channels = c
        window = a.window
        plane = a.latent * a.latent
    }

    /// Floats of one frame's projection, of the frame-major window and of its im2col.
    var frameCount: Int { channels * plane }
    var windowCount: Int { window * frameCount }
    var columnsCount: Int { window * blocks[0].columnsPerFrame(plane: plane) }

    /// in_proj of one frame: `visual` [visualInputs][plane] (encoder features, then pooled FHOG),
    /// `audio` [audioInputs] or nil when the model has none → `output` [channels][plane].
    func project(visual: UnsafePointer<Float>, audio: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>) {
        let inputs = visualInputs + audioInputs
        projection.withUnsafeBufferPointer { w in
            for o in 0..<channels {
                // The broadcast audio channels add the same amount at every position.
                var constant = projectionBias[o]
                if let audio {
                    let row = w.baseAddress! + o * inputs + visualInputs
                    var dot: Float = 0
                    for j in 0..<audioInputs { dot += row[j] * audio[j] }
                    constant += dot
                }
                (output + o * plane).update(repeating: constant, count: plane)
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(channels), Int32(plane), Int32(visualInputs),
                        1, w.baseAddress, Int32(inputs), visual, Int32(plane), 1, output, Int32(plane))
        }
    }

    /// Logits [codes][plane] of the centre frame into `logits`. `frame(t)` is frame t's
    /// projection (t = 0 oldest). Each block computes only the frames the next one reads.
    /// `bf16`: the blocks run on their oneDNN bfloat16 twins instead.
    func logits(frame: (Int) -> UnsafePointer<Float>, side: Int, columns: UnsafeMutablePointer<Float>,
                ping: UnsafeMutablePointer<Float>, pong: UnsafeMutablePointer<Float>, bf16: BF16Temporal? = nil,
                into logits: UnsafeMutablePointer<Float>) {
        if let bf16 {
            head.run(bf16.run(frame: frame), height: side, width: side, into: logits, scratch: columns)
            return
        }
        let centre = window / 2, perFrame = blocks[0].columnsPerFrame(plane: plane)
        var source: UnsafeMutablePointer<Float>? = nil, target = ping
        for (b, block) in blocks.enumerated() {
            let reach = (block.kernelT / 2) * (blocks.count - 1 - b)
            let outputs = max(0, centre - reach)..<min(window, centre + reach + 1)
            for t in block.inputFrames(for: outputs, frames: window) {
                let input = source.map { UnsafePointer($0 + t * frameCount) } ?? frame(t)
                block.im2col(frame: input, height: side, width: side, into: columns + t * perFrame)
            }
            block.run(columns: columns, frames: window, plane: plane, outputs: outputs, into: target, relu: true)
            source = target
            target = target == ping ? pong : ping
        }
        head.run(source! + centre * frameCount, height: side, width: side, into: logits, scratch: columns)
    }
}
