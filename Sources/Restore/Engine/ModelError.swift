/// Why a restoration model file cannot be used, naming the file and the tensor, and what to do.
public enum ModelError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file cannot be opened or is not a valid safetensors file (truncated, bad header…).
    case unreadable(path: String, reason: String)
    /// The metadata does not say `format` = `facerestored-model/1`.
    case notAModel(path: String, format: String?)
    /// A stage-1 (autoencoder) export: it has no restorer.
    case stage1(path: String)
    /// The `architecture` metadata is missing, not valid JSON or describes an unsupported network.
    case badArchitecture(path: String, reason: String)
    case missingTensor(path: String, tensor: String, expectedShape: [Int])
    case unexpectedTensors(path: String, tensors: [String])
    case wrongShape(path: String, tensor: String, expected: [Int], actual: [Int])
    case wrongDType(path: String, tensor: String, dtype: String)
    /// NaN or infinity, or a value that would make one (a negative BatchNorm variance, a zero MFCC
    /// standard deviation).
    case badValue(path: String, tensor: String, index: Int, reason: String)
    /// The bfloat16 engine cannot be built on this machine (oneDNN refused a convolution).
    case precisionUnavailable(reason: String)

    public var description: String {
        let reexport = "Re-export the weights with training/export.py or use the shipped models/."
        switch self {
        case .unreadable(let p, let r):
            return "cannot read the model file \(p): \(r). Check the path, or re-export it if it was cut short."
        case .notAModel(let p, let f):
            let found = f.map { "its format is '\($0)'" } ?? "its metadata has no 'format'"
            return "\(p) is not a facerestored model: \(found), expected 'facerestored-model/1'. "
                + "Pass a file written by training/export.py."
        case .stage1(let p):
            return "\(p) is a stage-1 export (the autoencoder alone) and cannot restore faces. "
                + "Export the stage-2 run: training/export.py --stage 2."
        case .badArchitecture(let p, let r):
            return "\(p) has an unusable 'architecture' metadata entry: \(r). \(reexport)"
        case .missingTensor(let p, let t, let s):
            return "\(p) has no tensor '\(t)' (expected shape \(s)); the file does not match its architecture metadata. \(reexport)"
        case .unexpectedTensors(let p, let t):
            return "\(p) has tensors its architecture does not use: \(t.prefix(5).joined(separator: ", "))"
                + (t.count > 5 ? " and \(t.count - 5) more" : "") + "; the file does not match its architecture metadata. \(reexport)"
        case .wrongShape(let p, let t, let e, let a):
            return "\(p): tensor '\(t)' has shape \(a), its architecture metadata needs \(e). \(reexport)"
        case .wrongDType(let p, let t, let d):
            return "\(p): tensor '\(t)' has dtype \(d), expected F32 (F16/BF16 are converted). \(reexport)"
        case .badValue(let p, let t, let i, let r):
            return "\(p): tensor '\(t)' element \(i) is \(r); the weights are corrupt or the training diverged. \(reexport)"
        case .precisionUnavailable(let r):
            return "the bfloat16 engine is not available here: \(r). Use precision float32, or auto, which picks "
                + "bfloat16 only on CPUs with AVX512_BF16 or AMX."
        }
    }
}
