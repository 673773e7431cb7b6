import Foundation

/// The One-Euro filter (Casiez, Roussel, Vogel, CHI 2012): a low-pass whose cut-off rises with
/// speed, so a still face's box stops jittering while a moving face is followed without lag.
/// Written here because it is ten lines and the method is fully specified by the paper.
public struct OneEuroFilter: Sendable {
    public var minCutoff: Double
    public var beta: Double
    public var derivativeCutoff: Double
    private var previous: Double?
    private var previousDerivative = 0.0

    public init(minCutoff: Double = 1.0, beta: Double = 0.02, derivativeCutoff: Double = 1.0) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    private static func alpha(cutoff: Double, dt: Double) -> Double {
        let tau = 1 / (2 * Double.pi * cutoff)
        return 1 / (1 + tau / dt)
    }

    /// Filters `value` observed `dt` seconds after the previous one.
    public mutating func filter(_ value: Double, dt: Double) -> Double {
        guard let prev = previous, dt > 0 else {
            previous = value
            return value
        }
        let derivative = (value - prev) / dt
        let ad = Self.alpha(cutoff: derivativeCutoff, dt: dt)
        previousDerivative += ad * (derivative - previousDerivative)
        let cutoff = minCutoff + beta * abs(previousDerivative)
        let a = Self.alpha(cutoff: cutoff, dt: dt)
        let out = prev + a * (value - prev)
        previous = out
        return out
    }

    /// The filter's current estimate of the rate of change (units per second).
    public var velocity: Double { previousDerivative }
}
