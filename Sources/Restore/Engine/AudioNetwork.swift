/// model.py's AudioNet h(M): one frame's MFCC context [contextSize][80], standardised with the
/// training set's per-coefficient mean and deviation, → fc1 → ReLU → fc2 → embedding [audioDim].
struct AudioNetwork: Sendable {
    let mean: [Float]
    let std: [Float]
    let fc1: Linear
    let fc2: Linear
    let contextSize: Int

    init(_ reader: inout WeightReader, _ a: ModelArchitecture) throws(ModelError) {
        let n = ModelArchitecture.mfccCoefficients
        mean = try reader.take("audio.mean", [n])
        std = try reader.takePositive("audio.std", [n], above: 0)
        fc1 = try reader.linear("audio.fc1", in: a.contextSize * n, out: a.audioHidden)
        fc2 = try reader.linear("audio.fc2", in: a.audioHidden, out: a.audioDim)
        contextSize = a.contextSize
    }

    /// `standardised` [contextSize·80] and `hidden` [audioHidden] are scratch.
    func run(_ mfcc: UnsafeBufferPointer<Float>, standardised: UnsafeMutablePointer<Float>,
             hidden: UnsafeMutablePointer<Float>, into embedding: UnsafeMutablePointer<Float>) {
        let n = mean.count
        for f in 0..<contextSize {
            for c in 0..<n { standardised[f * n + c] = (mfcc[f * n + c] - mean[c]) / std[c] }
        }
        fc1.run(standardised, into: hidden)
        ReLU.apply(hidden, count: fc1.outputs)
        fc2.run(hidden, into: embedding)
    }
}
