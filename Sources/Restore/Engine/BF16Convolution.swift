import CDnnl

/// A `Conv2D` computed by oneDNN in bfloat16 at one input size, with the same fusions
/// (up-sampling before, residual and ReLU after). Its weights are converted once, here.
///
/// Threads: its context's.
final class BF16Convolution {
    private let handle: OpaquePointer
    private let context: DnnlContext
    /// oneDNN's name for the kernel it chose ("brgconv:avx512_core_bf16" on this VM).
    let implementation: String

    /// Whether a convolution goes to bfloat16: those with many input × output channels, whose
    /// time is multiplication. The late 128² and 256² levels of the realtime decoder (24→12,
    /// 12→6, 6→3) move more memory than they multiply, and the reorders to and from oneDNN's
    /// layouts cost as much as bfloat16 saves there (`bench model --layers`: 0.91–1.06× against
    /// 1.4–3.0× at 32×64 … 48×24 channels on an AVX512_BF16 CPU).
    static func pays(_ conv: Conv2D) -> Bool { conv.inChannels * conv.outChannels >= 1024 }

    init(_ conv: Conv2D, height: Int, width: Int, upsample: Bool = false, residual: Bool = false, relu: Bool,
         context: DnnlContext) throws(ModelError) {
        var message = [CChar](repeating: 0, count: 512)
        let made = conv.weights.withUnsafeBufferPointer { w in
            conv.bias.withUnsafeBufferPointer { b in
                message.withUnsafeMutableBufferPointer { m in
                    cdnnl_conv_create(context.handle, Int32(conv.inChannels), Int32(conv.outChannels), Int32(conv.kernel),
                                      Int32(conv.stride), Int32(height), Int32(width), upsample ? 1 : 0,
                                      w.baseAddress, b.baseAddress, residual ? 1 : 0, relu ? 1 : 0, m.baseAddress, m.count)
                }
            }
        }
        guard let made else { throw .precisionUnavailable(reason: DnnlContext.text(message)) }
        handle = made
        self.context = context
        implementation = String(cString: cdnnl_conv_implementation(made))
    }

    deinit { cdnnl_conv_free(handle) }

    /// `output` = relu?(conv(up?(input)) (+ output's previous contents when made with `residual`)).
    func run(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        var message = [CChar](repeating: 0, count: 256)
        let status = message.withUnsafeMutableBufferPointer { cdnnl_conv_run(handle, input, output, $0.baseAddress, $0.count) }
        // Executing a primitive oneDNN built and sized itself fails only on a library fault.
        precondition(status == 0, DnnlContext.text(message))
    }
}
