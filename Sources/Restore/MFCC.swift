import Foundation
import Media

/// MFCCs of a whole signal, equal to librosa's (see `MFCCConfig`) within float rounding —
/// the form used for parity with the training pipeline, for offline work and for tests.
///
/// `config.topDb` is applied as librosa does: the floor is the maximum log-mel value over the
/// *whole input* minus topDb. That needs every frame before any can be finished, which is why
/// the live path uses `MFCCStream` and its causal `StreamingClip` instead.
///
/// Not Sendable: it owns an FFTW plan and scratch buffers. Use one instance per thread; creating
/// instances from several threads is safe (planning is serialised by `FFTWPlanner`).
public final class MFCC {
    public let config: MFCCConfig
    private let kernel: MFCCKernel

    public init(config: MFCCConfig = .model) throws(MFCCError) {
        self.config = config
        self.kernel = try MFCCKernel(config: config)
    }

    /// Mono samples at `config.sampleRate` → `1 + samples.count / hopLength` frames (none for an
    /// empty input, where librosa raises instead). Frame i is centred on sample i·hopLength.
    public func compute(_ samples: [Float]) -> MFCCMatrix {
        samples.withUnsafeBufferPointer { compute($0) }
    }

    public func compute(_ samples: UnsafeBufferPointer<Float>) -> MFCCMatrix {
        let frames = config.frameCount(forSamples: samples.count)
        let nm = config.nMels, nc = config.nMFCC
        var logMel = [Double](repeating: 0, count: frames * nm)
        var values = [Float](repeating: 0, count: frames * nc)
        var largest = -Double.infinity
        logMel.withUnsafeMutableBufferPointer { lm in
            for i in 0..<frames {
                largest = max(largest, kernel.logMel(frame: i, samples: samples, firstIndex: 0,
                                                     into: lm.baseAddress! + i * nm))
            }
            let floor = config.topDb.map { largest - $0 }
            values.withUnsafeMutableBufferPointer { v in
                for i in 0..<frames {
                    kernel.cepstrum(logMel: lm.baseAddress! + i * nm, floor: floor, into: v.baseAddress! + i * nc)
                }
            }
        }
        return MFCCMatrix(frameCount: frames, coefficientCount: nc, values: values)
    }

    /// Milliseconds of compute per second of audio for `compute`, on a deterministic
    /// `seconds`-long signal (best of `repeats`). For the bench command and for by-hand figures;
    /// not a unit test.
    public static func millisecondsPerAudioSecond(seconds: Double = 10, repeats: Int = 5) throws(MFCCError) -> Double {
        let mfcc = try MFCC()
        let n = Int(seconds * Double(mfcc.config.sampleRate))
        var state: UInt32 = 12345
        let signal = (0..<n).map { i -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Float(state >> 8) / Float(1 << 24) - 0.5
            return 0.3 * sin(Float(i) * 0.07) + 0.05 * noise
        }
        var best = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let t0 = MonotonicClock.now()
            let m = mfcc.compute(signal)
            let t1 = MonotonicClock.now()
            precondition(m.frameCount > 0)
            best = min(best, Double(t1 - t0) / 1e6)
        }
        return best / seconds
    }
}

@available(*, unavailable, message: "owns FFTW scratch buffers: use one instance per thread")
extension MFCC: Sendable {}

/// MFCC frames, frame-major: `values[frame * coefficientCount + coefficient]`. (librosa returns
/// the transpose, coefficients × frames.)
public struct MFCCMatrix: Sendable, Equatable {
    public let frameCount: Int
    public let coefficientCount: Int
    public let values: [Float]

    public init(frameCount: Int, coefficientCount: Int, values: [Float]) {
        precondition(values.count == frameCount * coefficientCount, "MFCC matrix size mismatch")
        self.frameCount = frameCount
        self.coefficientCount = coefficientCount
        self.values = values
    }

    public var isEmpty: Bool { frameCount == 0 }

    public subscript(frame: Int, coefficient: Int) -> Float {
        values[frame * coefficientCount + coefficient]
    }

    /// The coefficients of one frame.
    public func frame(_ i: Int) -> ArraySlice<Float> {
        values[(i * coefficientCount)..<((i + 1) * coefficientCount)]
    }
}
