/// Every scratch buffer one stream needs to run its model, allocated once by
/// `RestorationModel.makeWorkspace()` so that steady-state inference never allocates. The
/// pointers `predictLogits` and `decode` return point into it and stay valid until the next call.
///
/// Threads: one per stream's restoration thread; never used by two threads at once.
public final class ModelWorkspace {
    let owner: ObjectIdentifier
    /// Activations ping-pong between `a` and `b`; `temp` holds a residual block's inner
    /// activation or a fidelity skip's fuse output; `scratch` the im2col band.
    let a: FloatBuffer
    let b: FloatBuffer
    let temp: FloatBuffer
    let scratch: FloatBuffer
    /// in_proj's visual input [encChannels[3] + 31][latent²]: encoder features, pooled FHOG.
    let visual: FloatBuffer
    let standardised: FloatBuffer
    let hidden: FloatBuffer
    /// Temporal blocks: frame-major window activations and their im2col.
    let ping: FloatBuffer
    let pong: FloatBuffer
    let columns: FloatBuffer
    let logits: FloatBuffer
    let quantized: FloatBuffer
    let codes: UnsafeMutablePointer<Int32>
    let codeCount: Int
    let modulationInput: FloatBuffer
    let modulationHidden: FloatBuffer
    let modulationOutput: FloatBuffer
    let modulationAudio: FloatBuffer
    let modulationScale: FloatBuffer
    /// The encoder's, 3D-CNN's and decoder's oneDNN bfloat16 convolutions when the workspace was
    /// made for bfloat16.
    let bf16Encoder: BF16Encoder?
    let bf16Temporal: BF16Temporal?
    let bf16Decoder: BF16Decoder?
    public var precision: EnginePrecision { bf16Decoder == nil ? .float32 : .bfloat16 }
    /// oneDNN's kernels for the bfloat16 decoder convolutions (empty in float32).
    public var kernels: [String] { bf16Decoder?.implementations ?? [] }

    struct Sizes {
        var activation = 0, scratch = 0, visual = 0, standardised = 0, hidden = 0, window = 0, columns = 0
        var logits = 0, quantized = 0, codes = 0
        var modulationInput = 0, modulationHidden = 0, modulationOutput = 0, modulationAudio = 0, modulationScale = 0
    }

    init(owner: ObjectIdentifier, sizes s: Sizes, bf16Encoder: BF16Encoder? = nil, bf16Temporal: BF16Temporal? = nil,
         bf16Decoder: BF16Decoder? = nil) {
        self.owner = owner
        self.bf16Encoder = bf16Encoder
        self.bf16Temporal = bf16Temporal
        self.bf16Decoder = bf16Decoder
        a = FloatBuffer(count: s.activation)
        b = FloatBuffer(count: s.activation)
        temp = FloatBuffer(count: s.activation)
        scratch = FloatBuffer(count: s.scratch)
        visual = FloatBuffer(count: s.visual)
        standardised = FloatBuffer(count: s.standardised)
        hidden = FloatBuffer(count: s.hidden)
        ping = FloatBuffer(count: s.window)
        pong = FloatBuffer(count: s.window)
        columns = FloatBuffer(count: s.columns)
        logits = FloatBuffer(count: s.logits)
        quantized = FloatBuffer(count: s.quantized)
        codeCount = s.codes
        codes = .allocate(capacity: max(s.codes, 1))
        codes.initialize(repeating: 0, count: max(s.codes, 1))
        modulationInput = FloatBuffer(count: s.modulationInput)
        modulationHidden = FloatBuffer(count: s.modulationHidden)
        modulationOutput = FloatBuffer(count: s.modulationOutput)
        modulationAudio = FloatBuffer(count: s.modulationAudio)
        modulationScale = FloatBuffer(count: s.modulationScale)
    }

    deinit { codes.deallocate() }

    /// Bytes of scratch memory held (for the log and the benchmark).
    public var byteCount: Int {
        let floats = [a, b, temp, scratch, visual, standardised, hidden, ping, pong, columns, logits, quantized,
                      modulationInput, modulationHidden, modulationOutput, modulationAudio, modulationScale].reduce(0) { $0 + $1.count }
        return 4 * (floats + codeCount)
    }
}
