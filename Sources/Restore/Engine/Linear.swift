import COpenBLAS

/// PyTorch's `nn.Linear`: y = W x + b with W [outputs][inputs], by `cblas_sgemv`.
struct Linear: Sendable {
    let inputs: Int
    let outputs: Int
    let weights: [Float]
    let bias: [Float]

    init(weights: [Float], bias: [Float], inputs: Int, outputs: Int) {
        precondition(weights.count == inputs * outputs && bias.count == outputs, "linear weights do not match \(outputs)×\(inputs)")
        self.inputs = inputs
        self.outputs = outputs
        self.weights = weights
        self.bias = bias
    }

    /// `output` [outputs] = W `input` [inputs] + b (distinct buffers).
    func run(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>) {
        bias.withUnsafeBufferPointer { output.update(from: $0.baseAddress!, count: outputs) }
        weights.withUnsafeBufferPointer { w in
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(outputs), Int32(inputs), 1, w.baseAddress, Int32(inputs),
                        input, 1, 1, output, 1)
        }
    }
}
