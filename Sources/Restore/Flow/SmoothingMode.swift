/// How restored faces are blended with their neighbours in time (`TemporalSmoother`).
public enum SmoothingMode: String, Sendable, CaseIterable {
    /// The method's blend with the next frame: out_t = γ·x_t + (1−γ)·warp(x_{t+1} → t). Needs
    /// the next restored face, so each face comes out one frame later (`latency` 1).
    case paper
    /// The live variant: out_t = γ·x_t + (1−γ)·warp(out_{t−1} → t), a motion-compensated
    /// running average with no extra latency.
    case causal
    /// Faces pass through unchanged.
    case off

    /// Frames a face is held back before it comes out smoothed.
    public var latency: Int { self == .paper ? 1 : 0 }
}
