/// What the model keeps of one face in one frame, computed once by
/// `RestorationModel.computeFeatures` and reused by every window that contains the frame: the
/// in_proj output, the encoder features the fidelity skips need and the audio embedding.
///
/// Made by `RestorationModel.makeFrameFeatures()` with its buffers sized for that model;
/// overwritten in place when reused. Threads: one stream's restoration thread at a time.
public final class FrameFeatures {
    /// in_proj output [temporalChannels][latent][latent].
    let projection: FloatBuffer
    /// Encoder features per fidelity level, in `architecture.fidelityLevels` order.
    let skips: [FloatBuffer]
    /// h(M) [audioDim]; zeros without an MFCC context, empty for a model without audio.
    let audio: FloatBuffer
    /// The crop as planar RGB / 255 [3][imageSize][imageSize] for a residual output; else empty.
    let input: FloatBuffer
    let owner: ObjectIdentifier
    /// Whether computeFeatures has filled it.
    public internal(set) var isComputed = false

    init(owner: ObjectIdentifier, projection: Int, skips: [Int], audio: Int, input: Int) {
        self.owner = owner
        self.projection = FloatBuffer(count: projection)
        self.skips = skips.map { FloatBuffer(count: $0) }
        self.audio = FloatBuffer(count: audio)
        self.input = FloatBuffer(count: input)
    }
}
