import COpenBLAS
import Foundation

/// What OpenBLAS's sgemm reaches on this machine with the current thread count: the ceiling for
/// an im2col + sgemm convolution engine, measured in the same run as the engine so that the
/// ratio between the two is not skewed by a busy or throttled machine.
public enum SgemmRoofline {
    public struct Result: Sendable {
        public let m: Int, n: Int, k: Int
        /// Median GFLOP/s over the repeats (2·m·n·k per call).
        public let gflops: Double
    }

    /// Times C[m×n] = A[m×k]·B[k×n]; the default shape is a 3×3 conv with 64 → 64 channels on a
    /// 64×64 map, the size of the model's larger decoder convolutions.
    public static func measure(m: Int = 64, n: Int = 4096, k: Int = 576, repeats: Int = 20) -> Result {
        precondition(m > 0 && n > 0 && k > 0 && repeats > 0, "sgemm sizes and repeats must be positive")
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        let clock = ContinuousClock()
        var times: [Double] = []
        for i in -2..<repeats {
            let t0 = clock.now
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
            let d = clock.now - t0
            if i >= 0 { times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) }
        }
        times.sort()
        return Result(m: m, n: n, k: k, gflops: 2 * Double(m * n * k) / times[times.count / 2] / 1e9)
    }
}
