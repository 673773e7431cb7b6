import CDnnl

/// One thread's oneDNN engine and stream (cdnnl.h), released with this object. The
/// convolutions made with it keep it alive.
///
/// Threads: one workspace's, never two at once (oneDNN streams are not shared).
final class DnnlContext {
    let handle: OpaquePointer

    /// - Parameter threads: OpenMP threads per convolution (the engine's BLAS thread count).
    init(threads: Int) throws(ModelError) {
        var message = [CChar](repeating: 0, count: 512)
        guard let h = message.withUnsafeMutableBufferPointer({ cdnnl_context_create(Int32(threads), $0.baseAddress, $0.count) })
        else { throw .precisionUnavailable(reason: Self.text(message)) }
        handle = h
    }

    deinit { cdnnl_context_free(handle) }

    /// The NUL-terminated message a cdnnl call wrote into `buffer`.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
