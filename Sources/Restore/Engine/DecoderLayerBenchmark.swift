import Foundation

/// Milliseconds of each decoder convolution in float32 (im2col + sgemm) and in oneDNN
/// bfloat16 (reorders and up-sampling included), measured alternately on the same inputs: which
/// layers bfloat16 pays off on, since the wide early levels are compute-bound and the late
/// 128²/256² levels with few channels move more memory than they multiply.
public enum DecoderLayerBenchmark {
    public struct Layer: Sendable {
        public let name: String
        public let float32Ms: Double
        public let bfloat16Ms: Double
        public let kernel: String
        /// What a bfloat16 workspace runs this layer in (BF16Convolution.pays).
        public let chosen: EnginePrecision
    }

    public static func run(model: RestorationModel, iterations: Int = 30) throws(ModelError) -> [Layer] {
        let d = model.decoder
        let context = try DnnlContext(threads: BLASThreads.current)
        let scratch = FloatBuffer(count: d.maxScratch)
        var layers: [Layer] = []
        func measure(_ name: String, _ conv: Conv2D, side s: Int, upsample: Bool, residual: Bool, relu: Bool) throws(ModelError) {
            let input = upsample ? s / 2 : s
            let fast = try BF16Convolution(conv, height: input, width: input, upsample: upsample, residual: residual, relu: relu,
                                           context: context)
            let x = FloatBuffer(count: conv.inChannels * input * input), y = FloatBuffer(count: conv.outChannels * s * s)
            for i in 0..<x.count { x.pointer[i] = Float(i % 97) / 97 - 0.3 }
            var f32: [Double] = [], b16: [Double] = []
            let clock = ContinuousClock()
            for i in -2..<iterations {
                let t0 = clock.now
                conv.run(x.pointer, height: input, width: input, upsample: upsample, into: y.pointer,
                         residual: residual ? UnsafePointer(y.pointer) : nil, relu: relu, scratch: scratch.pointer)
                let t1 = clock.now
                fast.run(x.pointer, into: y.pointer)
                let t2 = clock.now
                if i >= 0 { f32.append(ms(t1 - t0)); b16.append(ms(t2 - t1)) }
            }
            layers.append(Layer(name: name, float32Ms: median(f32), bfloat16Ms: median(b16), kernel: fast.implementation,
                                chosen: BF16Convolution.pays(conv) ? .bfloat16 : .float32))
        }
        for i in 0..<5 {
            let s = d.side(level: i)
            try measure("level \(i) conv \(d.convs[i].inChannels)→\(d.convs[i].outChannels) @\(s)²", d.convs[i], side: s,
                        upsample: i > 0, residual: false, relu: true)
            for (j, block) in d.res[i].enumerated() {
                try measure("level \(i) res \(j) conv1 @\(s)²", block.conv1, side: s, upsample: false, residual: false, relu: true)
                try measure("level \(i) res \(j) conv2 @\(s)²", block.conv2, side: s, upsample: false, residual: true, relu: true)
            }
        }
        let s = d.side(level: 4)
        try measure("out conv \(d.out.inChannels)→3 @\(s)²", d.out, side: s, upsample: false, residual: false, relu: false)
        return layers
    }

    private static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }

    private static func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
}
