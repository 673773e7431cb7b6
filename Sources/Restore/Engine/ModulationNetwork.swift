/// model.py's Modulation: from the flow to t−1 and t+1 [4][G][G] (G = crop / 4) and the centre
/// frame's audio embedding, α and β for the decoder level of side G, computed at G/2 and
/// up-sampled; the level becomes h · (1 + α) + β.
struct ModulationNetwork: Sendable {
    let audio: Linear?
    let conv1: Conv2D
    let conv2: Conv2D
    /// Channels of the modulated decoder level.
    let channels: Int
    let grid: Int

    init(_ reader: inout WeightReader, _ a: ModelArchitecture, channels c: Int) throws(ModelError) {
        let mh = a.modulationHidden
        audio = a.useAudio ? try reader.linear("modulation.audio", in: a.audioDim, out: mh) : nil
        conv1 = try reader.conv2d("modulation.conv1", in: 4 + (a.useAudio ? mh : 0), out: mh, kernel: 3)
        conv2 = try reader.conv2d("modulation.conv2", in: mh, out: 2 * c, kernel: 3)
        channels = c
        grid = a.gridSize
    }

    /// Floats of the scratch buffers `run` needs: input, hidden, output, up-sampled α|β.
    var inputCount: Int { conv1.inChannels * (grid / 2) * (grid / 2) }
    var hiddenCount: Int { conv1.outChannels * (grid / 2) * (grid / 2) }
    var outputCount: Int { conv2.outChannels * (grid / 2) * (grid / 2) }
    var scaleCount: Int { conv2.outChannels * grid * grid }
    var maxScratch: Int { max(conv1.scratchCount(height: grid / 2, width: grid / 2), conv2.scratchCount(height: grid / 2, width: grid / 2)) }

    /// α|β [2·channels][grid][grid] into `scale`. `embedding` is nil without audio.
    func run(flow: UnsafeBufferPointer<Float>, embedding: UnsafePointer<Float>?, input: UnsafeMutablePointer<Float>,
             hidden: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, audioOut: UnsafeMutablePointer<Float>,
             scale: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let half = grid / 2, plane = half * half
        AveragePool.apply(flow.baseAddress!, channels: 4, height: grid, width: grid, kernel: 2, into: input)
        if let audio, let embedding {
            // The embedding is broadcast over the grid as extra channels (torch.cat).
            audio.run(embedding, into: audioOut)
            for c in 0..<audio.outputs { (input + (4 + c) * plane).update(repeating: audioOut[c], count: plane) }
        }
        conv1.run(input, height: half, width: half, into: hidden, relu: true, scratch: scratch)
        conv2.run(hidden, height: half, width: half, into: output, scratch: scratch)
        NearestUpsample.apply(output, channels: conv2.outChannels, height: half, width: half, into: scale)
    }

    /// h [channels][grid][grid] ← h · (1 + α) + β.
    func apply(_ h: UnsafeMutablePointer<Float>, scale: UnsafePointer<Float>) {
        let n = channels * grid * grid
        for i in 0..<n { h[i] = h[i] * (1 + scale[i]) + scale[n + i] }
    }
}
