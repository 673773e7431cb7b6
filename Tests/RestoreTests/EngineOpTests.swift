import Foundation
@testable import Restore
import Testing

/// Each engine op against torch.nn.functional on the random cases of ops.safetensors. 1e-4 is
/// far above float32 rounding of these short sums (~1e-6) and far below any indexing mistake.
@Suite("engine ops vs PyTorch")
struct EngineOpTests {
    let ops: SafeTensorsFile
    let tolerance: Float = 1e-4

    init() throws { ops = try EngineFixtures.file("ops.safetensors") }

    func shape(_ name: String) -> [Int] { ops.tensors[name]!.shape }

    func conv(_ name: String, stride: Int = 1) throws -> (Conv2D, input: [Float], shape: [Int], expected: [Float]) {
        let w = shape("\(name).weight")
        let layer = Conv2D(weights: try ops.floats("\(name).weight"), bias: try ops.floats("\(name).bias"),
                           inChannels: w[1], outChannels: w[0], kernel: w[2], stride: stride)
        return (layer, try ops.floats("\(name).input"), shape("\(name).input"), try ops.floats("\(name).expected"))
    }

    @Test("conv2d 3×3 and 1×1, stride 1 and 2, even and odd sides", arguments: [
        ("conv3x3_s1", 1), ("conv3x3_s2", 2), ("conv3x3_s2_odd", 2), ("conv1x1", 1),
    ])
    func conv2d(name: String, stride: Int) throws {
        let (layer, input, s, expected) = try conv(name, stride: stride)
        var out = [Float](repeating: .nan, count: expected.count)
        var scratch = [Float](repeating: .nan, count: max(1, layer.scratchCount(height: s[1], width: s[2])))
        input.pointer { x in
            layer.run(x, height: s[1], width: s[2], into: &out, scratch: &scratch)
        }
        #expect(layer.outputSide(s[1]) * layer.outputSide(s[2]) * layer.outChannels == expected.count)
        #expect(maxAbsDifference(out, expected) <= tolerance, "\(name)")
    }

    @Test("conv2d reading the nearest ×2 up-sampling of its input")
    func upsampledConv() throws {
        let (layer, input, s, expected) = try conv("up2_conv3x3")
        var out = [Float](repeating: .nan, count: expected.count)
        var scratch = [Float](repeating: .nan, count: layer.scratchCount(height: 2 * s[1], width: 2 * s[2]))
        input.pointer { x in
            layer.run(x, height: s[1], width: s[2], upsample: true, into: &out, scratch: &scratch)
        }
        #expect(maxAbsDifference(out, expected) <= tolerance)
    }

    @Test("conv2d with the residual added in place and the ReLU (ResBlock's second conv)")
    func residualReLU() throws {
        let (layer, input, s, expected) = try conv("residual_relu")
        var out = try ops.floats("residual_relu.residual")
        var scratch = [Float](repeating: .nan, count: layer.scratchCount(height: s[1], width: s[2]))
        input.pointer { x in
            out.withUnsafeMutableBufferPointer { o in
                layer.run(x, height: s[1], width: s[2], into: o.baseAddress!, residual: o.baseAddress!, relu: true, scratch: &scratch)
            }
        }
        #expect(maxAbsDifference(out, expected) <= tolerance)
        #expect(out.contains(0) && out.contains { $0 > 0 }, "the case must exercise both sides of the ReLU")
    }

    @Test("conv3d (kt, 3, 3) + BatchNorm folded, zero padding at the window ends", arguments: ["conv3d_kt3", "conv3d_kt1"])
    func conv3d(name: String) throws {
        let w = shape("\(name).weight"), s = shape("\(name).input")  // [C][T][H][W]
        let (c, kt, frames, plane) = (w[0], w[2], s[1], s[2] * s[3])
        let layer = TemporalConv(weights: try ops.floats("\(name).weight"), bias: try ops.floats("\(name).bias"),
                                 bnWeight: try ops.floats("\(name).bn_weight"), bnBias: try ops.floats("\(name).bn_bias"),
                                 bnMean: try ops.floats("\(name).bn_mean"), bnVariance: try ops.floats("\(name).bn_var"),
                                 eps: 1e-5, channels: c, kernelT: kt)
        let input = frameMajor(try ops.floats("\(name).input"), channels: c, frames: frames, plane: plane)
        let expected = frameMajor(try ops.floats("\(name).expected"), channels: c, frames: frames, plane: plane)
        let perFrame = layer.columnsPerFrame(plane: plane)
        var columns = [Float](repeating: .nan, count: frames * perFrame)
        var out = [Float](repeating: .nan, count: expected.count)
        input.pointer { x in
            columns.withUnsafeMutableBufferPointer { cols in
                for t in 0..<frames {
                    layer.im2col(frame: x + t * c * plane, height: s[2], width: s[3], into: cols.baseAddress! + t * perFrame)
                }
                layer.run(columns: cols.baseAddress!, frames: frames, plane: plane, outputs: 0..<frames, into: &out, relu: false)
            }
        }
        #expect(maxAbsDifference(out, expected) <= tolerance)
        // Only the centre frame: what the last temporal block computes.
        var centre = [Float](repeating: .nan, count: expected.count)
        columns.withUnsafeBufferPointer { cols in
            layer.run(columns: cols.baseAddress!, frames: frames, plane: plane, outputs: 2..<3, into: &centre, relu: false)
        }
        let slice = 2 * c * plane..<3 * c * plane
        #expect(maxAbsDifference(centre[slice], expected[slice]) <= tolerance)
        #expect(layer.inputFrames(for: 2..<3, frames: frames) == (2 - kt / 2)..<(3 + kt / 2))
    }

    @Test("nearest ×2 up-sampling")
    func upsample() throws {
        let s = shape("up2.input"), expected = try ops.floats("up2.expected")
        var out = [Float](repeating: .nan, count: expected.count)
        try ops.floats("up2.input").pointer { NearestUpsample.apply($0, channels: s[0], height: s[1], width: s[2], into: &out) }
        #expect(out == expected)
    }

    @Test("average pooling, kernel 4 (FHOG) and 2 (flow)", arguments: [("avgpool4", 4), ("avgpool2", 2)])
    func averagePool(name: String, kernel: Int) throws {
        let s = shape("\(name).input"), expected = try ops.floats("\(name).expected")
        var out = [Float](repeating: .nan, count: expected.count)
        try ops.floats("\(name).input").pointer {
            AveragePool.apply($0, channels: s[0], height: s[1], width: s[2], kernel: kernel, into: &out)
        }
        #expect(maxAbsDifference(out, expected) <= tolerance)
    }

    @Test("linear layer")
    func linear() throws {
        let w = shape("linear.weight"), expected = try ops.floats("linear.expected")
        let layer = Linear(weights: try ops.floats("linear.weight"), bias: try ops.floats("linear.bias"), inputs: w[1], outputs: w[0])
        var out = [Float](repeating: .nan, count: expected.count)
        try ops.floats("linear.input").pointer { layer.run($0, into: &out) }
        #expect(maxAbsDifference(out, expected) <= tolerance)
    }

    @Test("ReLU")
    func relu() throws {
        var x = try ops.floats("relu.input")
        x.withUnsafeMutableBufferPointer { ReLU.apply($0.baseAddress!, count: $0.count) }
        #expect(x == (try ops.floats("relu.expected")))
    }

    @Test("channel argmax and VQ lookup")
    func codebook() throws {
        let e = shape("vq.embed"), l = shape("vq.logits"), positions = l[1] * l[2]
        var codes = [Int32](repeating: -1, count: positions)
        try ops.floats("vq.logits").pointer { Codebook.argmax($0, channels: l[0], positions: positions, into: &codes) }
        #expect(codes == (try ops.int32s("vq.expected_codes")))
        let book = Codebook(vectors: try ops.floats("vq.embed"), codes: e[0], dim: e[1])
        var vectors = [Float](repeating: .nan, count: e[1] * positions)
        codes.withUnsafeBufferPointer { book.lookup($0, into: &vectors) }
        #expect(vectors == (try ops.floats("vq.expected_vectors")))
    }
}
