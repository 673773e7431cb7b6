/// How a stream's faces are restored once the model has predicted them (the `restore:` section).
public struct RestorationSettings: Sendable, Equatable {
    /// `causal` (live default: no extra latency), `paper` (one more frame of lookahead) or `off`.
    public var smoothing: SmoothingMode
    /// Weight of the current frame in the temporal blend (the method's γ).
    public var gamma: Float
    /// Logit margin a new code needs over the previous frame's code at the same position
    /// (flicker control; 0 = plain argmax).
    public var hysteresis: Float
    /// false: the model gets a silent (zero) audio context even when the stream has audio.
    public var useAudio: Bool
    /// The arithmetic of the engine's wide convolutions (EnginePrecision): float32 unless asked.
    public var precision: EnginePrecision

    public init(smoothing: SmoothingMode = .causal, gamma: Float = 0.7, hysteresis: Float = 0.5, useAudio: Bool = true,
                precision: EnginePrecision = .float32) {
        precondition((0...1).contains(gamma), "gamma must be in 0…1")
        precondition(hysteresis >= 0 && hysteresis.isFinite, "hysteresis must be finite and non-negative")
        self.smoothing = smoothing
        self.gamma = gamma
        self.hysteresis = hysteresis
        self.useAudio = useAudio
        self.precision = precision
    }
}
