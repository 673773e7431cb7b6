import CFFTW
import Synchronization

/// The one lock around FFTW's planner.
///
/// FFTW documents that only `fftw*_execute*` is thread-safe; creating and destroying plans
/// touches global planner state. Every plan in this process must therefore be made and
/// destroyed inside `withLock` — code in other modules that uses FFTW included. Executing an
/// existing plan needs no lock.
public enum FFTWPlanner {
    private static let lock = Mutex(())

    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { _ in try body() }
    }
}

/// A single-precision real-to-complex FFT of fixed size with its own aligned buffers.
///
/// Planned with FFTW_ESTIMATE: the plan is chosen without timing trial runs, so every instance
/// picks the same algorithm and two instances give bit-identical output (the batch and the
/// streaming MFCC rely on that). At 512 points a measured plan would save well under a
/// microsecond per frame. It always runs on its own `fftwf_malloc` buffers, so FFTW_UNALIGNED
/// is not needed. Not Sendable: the buffers are scratch space for one thread.
final class RealFFT {
    let size: Int
    /// `size` real inputs, written by the caller before `execute()`.
    let input: UnsafeMutablePointer<Float>
    /// `size/2 + 1` complex outputs as (re, im).
    let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    init(size: Int) throws(MFCCError) {
        precondition(size > 0, "FFT size must be positive")
        let bins = size / 2 + 1
        guard let rawIn = fftwf_malloc(MemoryLayout<Float>.stride * size),
              let rawOut = fftwf_malloc(MemoryLayout<fftwf_complex>.stride * bins) else {
            throw MFCCError.fftwPlanFailed(size: size)
        }
        let input = rawIn.bindMemory(to: Float.self, capacity: size)
        let output = rawOut.bindMemory(to: fftwf_complex.self, capacity: bins)
        let made = FFTWPlanner.withLock {
            fftwf_plan_dft_r2c_1d(Int32(size), input, output, FFTW_ESTIMATE)
        }
        guard let made else {
            fftwf_free(rawIn)
            fftwf_free(rawOut)
            throw MFCCError.fftwPlanFailed(size: size)
        }
        self.size = size
        self.input = input
        self.output = output
        self.plan = made
        input.initialize(repeating: 0, count: size)
    }

    func execute() { fftwf_execute(plan) }

    deinit {
        FFTWPlanner.withLock { fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(output)
    }
}
