import Foundation

/// The restoration network of training/model.py's `Restorer`, rebuilt from an exported
/// `.safetensors` file (training/export.py) alone and run on OpenBLAS.
///
/// Per frame and face, `computeFeatures` runs once; per restored face, `predictLogits` (over the
/// window) → codes → `lookup` → `decode`, or `restore` for all of it with argmax codes.
///
/// Threads: immutable after loading, so one instance is shared by every stream; each stream
/// brings its own `ModelWorkspace` and `FrameFeatures`.
public final class RestorationModel: Sendable {
    public static let format = "facerestored-model/1"

    public let architecture: ModelArchitecture
    /// The file's `__metadata__`: architecture, conventions (flow parameters…), provenance.
    public let metadata: [String: String]

    let encoder: EncoderNetwork
    let audio: AudioNetwork?
    let temporal: TemporalNetwork
    let codebook: Codebook
    let decoder: DecoderNetwork
    /// In `architecture.fidelityLevels` order, like FrameFeatures.skips.
    let skips: [FidelitySkip]
    let modulation: ModulationNetwork?

    /// Loads and checks a model file: format, stage, architecture, every tensor's presence,
    /// shape and values, and that no tensor is left over.
    public init(path: String) throws(ModelError) {
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch { throw .unreadable(path: path, reason: error.description) }
        BLASThreads.applyDefault()
        let m = file.metadata
        guard m["format"] == Self.format else { throw .notAModel(path: path, format: m["format"]) }
        switch m["stage"] {
        case "2": break
        case "1": throw .stage1(path: path)
        case let other: throw .badArchitecture(path: path, reason: "stage is \(other.map { "'\($0)'" } ?? "missing"), expected '2'")
        }
        guard let json = m["architecture"] else { throw .badArchitecture(path: path, reason: "the entry is missing") }
        let a = try ModelArchitecture(json: json, path: path)
        // BatchNorm's eps is a convention of the export (PyTorch's default when absent).
        let eps = m["batchnorm_eps"].map { Double($0) } ?? 1e-5
        guard let eps, eps > 0, eps < 1 else {
            throw .badArchitecture(path: path, reason: "batchnorm_eps '\(m["batchnorm_eps"] ?? "")' is not a number in (0, 1)")
        }

        var reader = WeightReader(file: file, path: path)
        encoder = try EncoderNetwork(&reader, a)
        codebook = Codebook(vectors: try reader.take("quantizer.embed", [a.codes, a.codeDim]), codes: a.codes, dim: a.codeDim)
        decoder = try DecoderNetwork(&reader, a)
        audio = a.useAudio ? try AudioNetwork(&reader, a) : nil
        temporal = try TemporalNetwork(&reader, a, eps: eps)
        var skips: [FidelitySkip] = []
        for f in a.fidelityLevels {
            let c = a.decChannels[ModelArchitecture.decoderFactors.firstIndex(of: f)!]
            let e = a.encChannels[ModelArchitecture.encoderLevel[f]!]
            skips.append(try FidelitySkip(&reader, factor: f, channels: c, encoderChannels: e, strength: a.fidelityW))
        }
        self.skips = skips
        modulation = a.useModulation
            ? try ModulationNetwork(&reader, a, channels: a.decChannels[ModelArchitecture.decoderFactors.firstIndex(of: a.modulationLevel)!])
            : nil
        try reader.checkAllTaken()
        architecture = a
        metadata = m
    }

    /// Scratch buffers for one stream (allocated here, never per frame), float32 throughout.
    public func makeWorkspace() -> ModelWorkspace {
        makeWorkspace(bf16: nil)
    }

    /// Scratch buffers for one stream whose decoder runs in `precision`.
    /// - Throws: `ModelError.precisionUnavailable` when oneDNN cannot build the bfloat16 convolutions
    ///   on this CPU.
    public func makeWorkspace(precision: EnginePrecision) throws(ModelError) -> ModelWorkspace {
        switch precision {
        case .float32:
            return makeWorkspace(bf16: nil)
        case .bfloat16:
            let context = try DnnlContext(threads: BLASThreads.current)
            return makeWorkspace(bf16: (try BF16Encoder(encoder, context: context),
                                        try BF16Temporal(temporal, side: architecture.latent, context: context),
                                        try BF16Decoder(decoder, context: context)))
        }
    }

    private func makeWorkspace(bf16: (encoder: BF16Encoder, temporal: BF16Temporal?, decoder: BF16Decoder)?) -> ModelWorkspace {
        let a = architecture, latentPlane = a.latent * a.latent
        var s = ModelWorkspace.Sizes()
        s.activation = max(encoder.maxActivation, decoder.maxActivation)
        s.scratch = max(encoder.maxScratch, decoder.maxScratch, temporal.columnsCount, modulation?.maxScratch ?? 0)
        s.visual = temporal.visualInputs * latentPlane
        s.standardised = a.mfccCount
        s.hidden = a.audioHidden
        s.window = temporal.windowCount
        s.columns = temporal.columnsCount
        s.logits = a.logitCount
        s.quantized = a.codeDim * latentPlane
        s.codes = latentPlane
        if let modulation {
            s.modulationInput = modulation.inputCount
            s.modulationHidden = modulation.hiddenCount
            s.modulationOutput = modulation.outputCount
            s.modulationAudio = modulation.audio?.outputs ?? 0
            s.modulationScale = modulation.scaleCount
        }
        return ModelWorkspace(owner: ObjectIdentifier(self), sizes: s, bf16Encoder: bf16?.encoder, bf16Temporal: bf16?.temporal,
                              bf16Decoder: bf16?.decoder)
    }

    /// A holder for one frame's features, reusable frame after frame.
    public func makeFrameFeatures() -> FrameFeatures {
        let a = architecture
        let skipCounts = a.fidelityLevels.map { f in
            let side = a.imageSize / f
            return a.encChannels[ModelArchitecture.encoderLevel[f]!] * side * side
        }
        return FrameFeatures(owner: ObjectIdentifier(self), projection: temporal.frameCount, skips: skipCounts,
                             audio: a.useAudio ? a.audioDim : 0, input: a.outputResidual ? a.imageCount : 0)
    }

    /// Per frame and face, once: LQ encoder (input = crop / 255), FHOG avg-pooled to the latent
    /// grid, audio embedding h(M) (zeros when `mfcc` is nil; unused by a model without audio),
    /// in_proj (the 1×1×1 conv3d, per frame), and the encoder features the fidelity skips need.
    /// - Parameters:
    ///   - crop: imageSize² interleaved RGB bytes.
    ///   - fhog: planar [31][imageSize/4][imageSize/4] (dlib FHOG).
    ///   - mfcc: row-major [contextSize][80], or nil.
    public func computeFeatures(crop: UnsafeBufferPointer<UInt8>, fhog: UnsafeBufferPointer<Float>,
                                mfcc: UnsafeBufferPointer<Float>?, into features: FrameFeatures, workspace: ModelWorkspace) {
        let a = architecture, id = ObjectIdentifier(self)
        precondition(features.owner == id && workspace.owner == id, "features and workspace must come from this model")
        precondition(crop.count == a.cropBytes, "crop has \(crop.count) bytes, the model needs \(a.cropBytes)")
        precondition(fhog.count == a.fhogCount, "FHOG has \(fhog.count) floats, the model needs \(a.fhogCount)")
        precondition(mfcc == nil || mfcc!.count == a.mfccCount, "MFCC context has \(mfcc!.count) floats, the model needs \(a.mfccCount)")
        let n = a.imageSize * a.imageSize, x = workspace.a.pointer
        // The same float32 steps as data.to_float then Encoder's `x - 0.5`; a residual output
        // also keeps data.to_float's values for the decoder, from the same pass.
        let input: UnsafeMutablePointer<Float>? = a.outputResidual ? features.input.pointer : nil
        for i in 0..<n {
            let r = Float(crop[3 * i]) / 255, g = Float(crop[3 * i + 1]) / 255, b = Float(crop[3 * i + 2]) / 255
            x[i] = r - 0.5
            x[n + i] = g - 0.5
            x[2 * n + i] = b - 0.5
            if let input {
                input[i] = r
                input[n + i] = g
                input[2 * n + i] = b
            }
        }
        let latentPlane = a.latent * a.latent, visual = workspace.visual.pointer
        _ = encoder.run(x, workspace.b.pointer, temp: workspace.temp.pointer, scratch: workspace.scratch.pointer,
                        bf16: workspace.bf16Encoder) { level, h in
            let side = encoder.side(level: level), count = encoder.channels[level] * side * side
            for (k, f) in a.fidelityLevels.enumerated() where ModelArchitecture.encoderLevel[f] == level {
                features.skips[k].pointer.update(from: h, count: count)
            }
            if level == 3 { visual.update(from: h, count: count) }
        }
        AveragePool.apply(fhog.baseAddress!, channels: ModelArchitecture.fhogPlanes, height: a.gridSize, width: a.gridSize,
                          kernel: a.gridSize / a.latent, into: visual + a.encChannels[3] * latentPlane)
        if let audio {
            if let mfcc {
                audio.run(mfcc, standardised: workspace.standardised.pointer, hidden: workspace.hidden.pointer,
                          into: features.audio.pointer)
            } else {
                features.audio.zero()
            }
        }
        temporal.project(visual: visual, audio: audio == nil ? nil : features.audio.pointer, into: features.projection.pointer)
        features.isComputed = true
    }

    /// Code logits [codes][latent][latent] (planar) of the centre of `window` (exactly
    /// `architecture.window` frames, oldest first). Valid until the workspace's next call.
    public func predictLogits(window: [FrameFeatures], workspace: ModelWorkspace) -> UnsafeBufferPointer<Float> {
        let id = ObjectIdentifier(self)
        precondition(window.count == architecture.window, "the window has \(window.count) frames, the model needs \(architecture.window)")
        precondition(workspace.owner == id && window.allSatisfy { $0.owner == id && $0.isComputed },
                     "window frames must be computed by this model")
        temporal.logits(frame: { UnsafePointer(window[$0].projection.pointer) }, side: architecture.latent,
                        columns: workspace.columns.pointer, ping: workspace.ping.pointer, pong: workspace.pong.pointer,
                        bf16: workspace.bf16Temporal, into: workspace.logits.pointer)
        return workspace.logits.buffer
    }

    /// Code vectors [codeDim][latent][latent] (planar) for `codes` (latent·latent indices,
    /// row-major) into `output` (codeDim · latent² floats).
    public func lookup(codes: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Float>) {
        let a = architecture
        precondition(codes.count == a.latent * a.latent, "\(codes.count) codes, the model needs \(a.latent * a.latent)")
        precondition(output.count == a.codeDim * codes.count, "lookup output has \(output.count) floats, needs \(a.codeDim * codes.count)")
        codebook.lookup(codes, into: output.baseAddress!)
    }

    /// The decoder from quantized latents [codeDim][latent][latent] with the fidelity skips of
    /// `centre` and the modulation from `flow` ([4][imageSize/4]² = dx, dy to t−1 then to t+1;
    /// nil → no modulation; ignored by a model without modulation) and centre's audio
    /// embedding. Returns RGB planar [3][imageSize][imageSize] in [0, 1], valid until the
    /// workspace's next call.
    public func decode(quantized: UnsafeBufferPointer<Float>, centre: FrameFeatures, flow: UnsafeBufferPointer<Float>?,
                       workspace w: ModelWorkspace) -> UnsafeBufferPointer<Float> {
        let a = architecture, id = ObjectIdentifier(self)
        precondition(w.owner == id && centre.owner == id && centre.isComputed, "centre and workspace must come from this model")
        precondition(quantized.count == a.codeDim * a.latent * a.latent, "quantized has \(quantized.count) floats")
        precondition(flow == nil || flow!.count == a.flowCount, "flow has \(flow!.count) floats, the model needs \(a.flowCount)")
        var modulated = false
        if let modulation, let flow {
            modulation.run(flow: flow, embedding: audio == nil ? nil : UnsafePointer(centre.audio.pointer),
                           input: w.modulationInput.pointer, hidden: w.modulationHidden.pointer,
                           output: w.modulationOutput.pointer, audioOut: w.modulationAudio.pointer,
                           scale: w.modulationScale.pointer, scratch: w.scratch.pointer)
            modulated = true
        }
        let image = decoder.run(quantized.baseAddress!, w.a.pointer, w.b.pointer, temp: w.temp.pointer,
                                scratch: w.scratch.pointer, base: a.outputResidual ? UnsafePointer(centre.input.pointer) : nil,
                                bf16: w.bf16Decoder) { level, h in
            let factor = ModelArchitecture.decoderFactors[level], side = decoder.side(level: level)
            for (k, skip) in skips.enumerated() where skip.factor == factor {
                skip.apply(h, skip: centre.skips[k].pointer, plane: side * side, temp: w.temp.pointer)
            }
            if modulated && factor == a.modulationLevel { modulation!.apply(h, scale: w.modulationScale.pointer) }
        }
        return UnsafeBufferPointer(start: image, count: a.imageCount)
    }

    /// predictLogits → argmax codes → lookup → decode. The image is valid until the workspace's
    /// next call.
    public func restore(window: [FrameFeatures], flow: UnsafeBufferPointer<Float>?,
                        workspace: ModelWorkspace) -> (codes: [Int32], image: UnsafeBufferPointer<Float>) {
        let a = architecture, positions = a.latent * a.latent
        let logits = predictLogits(window: window, workspace: workspace)
        Codebook.argmax(logits.baseAddress!, channels: a.codes, positions: positions, into: workspace.codes)
        let codes = UnsafeBufferPointer(start: workspace.codes, count: positions)
        codebook.lookup(codes, into: workspace.quantized.pointer)
        let image = decode(quantized: workspace.quantized.buffer, centre: window[a.window / 2], flow: flow, workspace: workspace)
        return (Array(codes), image)
    }
}
