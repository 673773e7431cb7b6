/// The frozen VQ codebook (`quantizer.embed`, [codes][dim]): code vectors for indices, and the
/// most likely code per latent position.
struct Codebook: Sendable {
    let codes: Int
    let dim: Int
    let vectors: [Float]

    init(vectors: [Float], codes: Int, dim: Int) {
        precondition(vectors.count == codes * dim, "codebook does not match \(codes)×\(dim)")
        self.codes = codes
        self.dim = dim
        self.vectors = vectors
    }

    /// VectorQuantizer.lookup: `indices` [positions] → `output` planar [dim][positions].
    func lookup(_ indices: UnsafeBufferPointer<Int32>, into output: UnsafeMutablePointer<Float>) {
        let n = indices.count
        vectors.withUnsafeBufferPointer { v in
            for (j, code) in indices.enumerated() {
                // A bad index is the caller's bug, and reading outside the codebook would be
                // memory-unsafe; release builds are -Ounchecked, so this is a hard check.
                if code < 0 || Int(code) >= codes { fatalError("code \(code) at position \(j) is outside the codebook of \(codes)") }
                let row = v.baseAddress! + Int(code) * dim
                for d in 0..<dim { output[d * n + j] = row[d] }
            }
        }
    }

    /// torch.argmax over the channels of planar `logits` [channels][positions]: the first index
    /// of the largest value (as PyTorch on CPU).
    static func argmax(_ logits: UnsafePointer<Float>, channels: Int, positions: Int, into codes: UnsafeMutablePointer<Int32>) {
        for j in 0..<positions {
            var best = logits[j], index = 0
            for c in 1..<max(channels, 1) where logits[c * positions + j] > best {
                best = logits[c * positions + j]
                index = c
            }
            codes[j] = Int32(index)
        }
    }
}
