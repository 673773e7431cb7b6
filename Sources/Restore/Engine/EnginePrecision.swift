import Foundation

/// The arithmetic of the engine's wide convolutions (encoder, 3D-CNN, decoder), most of its cost
/// per face-frame.
public enum EnginePrecision: String, Sendable, Equatable, CaseIterable {
    /// OpenBLAS sgemm: PyTorch parity to 1e-3 (the reference numerics).
    case float32
    /// oneDNN with bfloat16 inputs and weights and float32 accumulation and output, for the
    /// convolutions with many channels (`BF16Convolution.pays`); activations between layers, the
    /// hooks (skips, modulation), the narrow convolutions and the logits head stay float32. On
    /// the shipped model's fixture windows 99.4 % of the codes are the float32 ones and the
    /// images 59.9 dB from float32's (EngineBF16Tests).
    case bfloat16

    /// bfloat16 where the CPU computes it natively (AVX512_BF16 or AMX-BF16 in its flags), where
    /// it makes the engine ~1.3–1.5× faster per face-frame (`bench model`); float32 elsewhere, where
    /// oneDNN would emulate bf16 more slowly than float32 runs (or not at all, before AVX-512).
    public static func automatic(cpuFlags: Set<String>) -> EnginePrecision {
        hasNativeBF16(cpuFlags: cpuFlags) ? .bfloat16 : .float32
    }

    static func hasNativeBF16(cpuFlags: Set<String>) -> Bool {
        cpuFlags.contains("avx512_bf16") || cpuFlags.contains("amx_bf16")
    }

    /// `automatic(cpuFlags:)` for this machine's CPU, read once.
    public static let forThisCPU: EnginePrecision = {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return automatic(cpuFlags: VisionBuild.cpuFlags(cpuinfo: info))
    }()
}

/// What a config or command line asks for: a precision, or `auto` (`EnginePrecision.forThisCPU`).
public enum PrecisionChoice: String, Sendable, Equatable, CaseIterable {
    case auto, float32, bfloat16

    public var resolved: EnginePrecision {
        switch self {
        case .auto: EnginePrecision.forThisCPU
        case .float32: .float32
        case .bfloat16: .bfloat16
        }
    }

    /// "auto, float32, bfloat16", for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
