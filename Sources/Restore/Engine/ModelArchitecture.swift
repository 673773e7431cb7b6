import Foundation

/// The network a model file describes: training/model.py's ModelConfig, decoded from the file's
/// `architecture` metadata. Everything the engine builds follows from these numbers, so a new
/// profile needs no code change.
public struct ModelArchitecture: Sendable, Equatable {
    public let profile: String
    public let variant: String
    /// MFCC frames per video frame.
    public let contextSize: Int
    /// Video frames the temporal blocks see (odd; the centre is restored).
    public let window: Int
    /// Side of the square face crop, in pixels.
    public let imageSize: Int
    public let codes: Int
    public let codeDim: Int
    /// Side of the code grid (imageSize / 16).
    public let latent: Int
    public let useAudio: Bool
    public let useModulation: Bool
    public let encChannels: [Int]
    public let encRes: [Int]
    public let decChannels: [Int]
    public let decRes: [Int]
    public let temporalChannels: Int
    public let audioDim: Int
    public let audioHidden: Int
    public let modulationHidden: Int
    public let fidelityW: Float
    /// Decoder levels (down-sampling factors) that receive the LQ encoder's features.
    public let fidelityLevels: [Int]
    public let modulationLevel: Int
    public let kernelT: Int
    /// Whether the decoder's RGB conv adds to the centre frame's input crop (crop / 255) rather
    /// than to 0.5 (model.py's `output_residual`; absent in older files = false).
    public let outputResidual: Bool

    /// FHOG planes per grid cell (dlib).
    public static let fhogPlanes = 31
    /// MFCC coefficients per audio frame.
    public static let mfccCoefficients = 80
    /// Encoder level index (0…3) of each down-sampling factor, as Restorer.enc_at.
    static let encoderLevel = [2: 0, 4: 1, 8: 2, 16: 3]
    /// Decoder levels are named by their factor: 16, 8, 4, 2, 1.
    static let decoderFactors = [16, 8, 4, 2, 1]

    /// Bytes of one crop: imageSize² interleaved RGB.
    public var cropBytes: Int { imageSize * imageSize * 3 }
    /// Side of the FHOG grid and of the flow (cell size 4).
    public var gridSize: Int { imageSize / 4 }
    /// Floats of one frame's FHOG input, planar [31 × grid × grid].
    public var fhogCount: Int { Self.fhogPlanes * gridSize * gridSize }
    /// Floats of one frame's MFCC context, row-major [contextSize × 80].
    public var mfccCount: Int { contextSize * Self.mfccCoefficients }
    /// Floats of the flow input, planar [4 × grid × grid].
    public var flowCount: Int { 4 * gridSize * gridSize }
    /// Floats of the logits, planar [codes × latent × latent].
    public var logitCount: Int { codes * latent * latent }
    /// Floats of the restored image, planar RGB [3 × imageSize × imageSize].
    public var imageCount: Int { 3 * imageSize * imageSize }

    /// Decodes and checks the JSON of the `architecture` metadata; `path` is for the messages.
    init(json: String, path: String) throws(ModelError) {
        let c: ConfigJSON
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            c = try decoder.decode(ConfigJSON.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw .badArchitecture(path: path, reason: Self.explain(error))
        } catch {
            throw .badArchitecture(path: path, reason: "\(error)")
        }
        profile = c.profile
        variant = c.variant
        contextSize = c.contextSize
        window = c.window
        imageSize = c.imageSize
        codes = c.codes
        codeDim = c.codeDim
        latent = c.latent
        useAudio = c.useAudio
        useModulation = c.useModulation
        encChannels = c.encChannels
        encRes = c.encRes
        decChannels = c.decChannels
        decRes = c.decRes
        temporalChannels = c.temporalChannels
        audioDim = c.audioDim
        audioHidden = c.audioHidden
        modulationHidden = c.modulationHidden
        fidelityW = Float(c.fidelityW)
        fidelityLevels = c.fidelityLevels
        modulationLevel = c.modulationLevel
        kernelT = c.kernelT
        outputResidual = c.outputResidual ?? false
        if let problem = check() { throw .badArchitecture(path: path, reason: problem) }
    }

    /// The first inconsistency, or nil. Bounds keep a hostile file from asking for absurd
    /// allocations before any tensor is compared with them.
    private func check() -> String? {
        let widths = [codes, codeDim, temporalChannels, audioDim, audioHidden, modulationHidden] + encChannels + decChannels
        if encChannels.count != 4 || encRes.count != 4 { return "enc_channels and enc_res need 4 entries" }
        if decChannels.count != 5 || decRes.count != 5 { return "dec_channels and dec_res need 5 entries" }
        if let w = widths.first(where: { !(1...65_536).contains($0) }) { return "a width of \(w) is out of range 1…65536" }
        if let r = (encRes + decRes).first(where: { !(0...64).contains($0) }) { return "\(r) residual blocks is out of range 0…64" }
        if imageSize % 16 != 0 || !(16...2048).contains(imageSize) { return "image_size \(imageSize) is not a multiple of 16 in 16…2048" }
        if latent != imageSize / 16 { return "latent \(latent) is not image_size / 16 = \(imageSize / 16)" }
        if window % 2 != 1 || !(1...63).contains(window) { return "window \(window) is not odd in 1…63" }
        if kernelT % 2 != 1 || !(1...63).contains(kernelT) { return "kernel_t \(kernelT) is not odd in 1…63" }
        if !(1...256).contains(contextSize) { return "context_size \(contextSize) is out of range 1…256" }
        if let f = fidelityLevels.first(where: { Self.encoderLevel[$0] == nil }) { return "fidelity level \(f) is not one of 2, 4, 8, 16" }
        if Set(fidelityLevels).count != fidelityLevels.count { return "fidelity_levels \(fidelityLevels) repeat a level" }
        if !fidelityW.isFinite { return "fidelity_w is not finite" }
        // The flow comes at a quarter of the crop and the modulation is up-sampled ×2 from half
        // that: only level 4 matches (PyTorch would fail on a shape mismatch too).
        if useModulation && modulationLevel != 4 { return "modulation_level \(modulationLevel) is unsupported (only 4)" }
        return nil
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String { c.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, _): return "field '\(key.stringValue)' is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "field '\(path(c))' has the wrong type"
        case .dataCorrupted(let c): return path(c).isEmpty ? "it is not valid JSON" : "field '\(path(c))' is invalid"
        @unknown default: return "it cannot be decoded"
        }
    }
}

/// ModelConfig.to_metadata's JSON (snake_case keys; ema_decay and commitment are training-only).
private struct ConfigJSON: Decodable {
    let profile: String
    let variant: String
    let contextSize: Int
    let window: Int
    let imageSize: Int
    let encChannels: [Int]
    let encRes: [Int]
    let decChannels: [Int]
    let decRes: [Int]
    let codeDim: Int
    let codes: Int
    let temporalChannels: Int
    let audioDim: Int
    let audioHidden: Int
    let modulationHidden: Int
    let fidelityW: Double
    let fidelityLevels: [Int]
    let modulationLevel: Int
    let useAudio: Bool
    let useModulation: Bool
    let kernelT: Int
    let latent: Int
    let outputResidual: Bool?
}
