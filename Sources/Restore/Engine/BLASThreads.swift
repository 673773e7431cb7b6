import COpenBLAS
import Foundation

/// OpenBLAS's thread count, process-wide. The engine's matrices are small and every stream has
/// its own restoration thread, so the default is 1: OpenBLAS would otherwise start a thread per
/// core for every sgemm and the streams would fight over the cores. `OPENBLAS_NUM_THREADS` in the
/// environment overrides the default; `set` overrides both.
public enum BLASThreads {
    /// Applied once, by the first model load or `set`, whichever comes first.
    private static let defaultApplied: Bool = {
        let fromEnvironment = ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"].flatMap(Int.init)
        openblas_set_num_threads(Int32(fromEnvironment.map { max(1, $0) } ?? 1))
        return true
    }()

    /// Sets the number of threads every sgemm may use (at least 1).
    public static func set(_ count: Int) {
        _ = defaultApplied
        openblas_set_num_threads(Int32(max(1, min(count, 1024))))
    }

    /// The number OpenBLAS uses now.
    public static var current: Int {
        _ = defaultApplied
        return Int(openblas_get_num_threads())
    }

    static func applyDefault() { _ = defaultApplied }
}
