import Restore
import Testing

@Suite("Flow: temporal smoothing of restored faces")
struct FlowSmootherTests {
    static let side = 64

    static func uniform(_ value: Float) -> [Float] { [Float](repeating: value, count: 3 * side * side) }

    static func smoother(_ mode: SmoothingMode, gamma: Float = 0.7) throws -> TemporalSmoother {
        try TemporalSmoother(mode: mode, gamma: gamma, side: side, flowSide: 16)
    }

    /// RMSE over the pixels at least `margin` from the border (edges replicate under motion).
    static func interiorRMSE(_ a: [Float], _ b: [Float], margin: Int = 8) -> Float {
        var s: Float = 0, n = 0
        for p in 0..<3 {
            for y in margin..<(side - margin) {
                for x in margin..<(side - margin) {
                    let i = (p * side + y) * side + x
                    s += (a[i] - b[i]) * (a[i] - b[i])
                    n += 1
                }
            }
        }
        return (s / Float(n)).squareRoot()
    }

    @Test("latency: 1 frame for paper, 0 otherwise")
    func latency() throws {
        #expect(try Self.smoother(.paper).latency == 1)
        #expect(try Self.smoother(.causal).latency == 0)
        #expect(try Self.smoother(.off).latency == 0)
        #expect(SmoothingMode(rawValue: "paper") == .paper && SmoothingMode(rawValue: "Causal") == nil)
    }

    @Test("a static sequence comes out unchanged (inside OpenCV's border band)", arguments: [SmoothingMode.causal, .paper])
    func staticSequence(mode: SmoothingMode) throws {
        // Farneback does not give exactly zero flow between identical images in the outer ~5
        // pixels of the 64² grey (up to ~0.35 px there, < 1e-3 inside): the faces' outer 20 px
        // at 256² move a little, which the feathered paste covers.
        let s = try TemporalSmoother(mode: mode), side = 256, face = flowTexture(side: side)
        var out: [Float] = []
        var emitted: [Int] = []
        func check(_ k: Int) {
            emitted.append(k)
            var inner: Float = 0, all: Float = 0
            for i in out.indices {
                let d = abs(out[i] - face[i]), x = i % side, y = i / side % side
                all = max(all, d)
                if (24..<(side - 24)).contains(x) && (24..<(side - 24)).contains(y) { inner = max(inner, d) }
            }
            #expect(inner <= 1e-4, "frame \(k): interior differs by \(inner)")
            #expect(all <= 0.05, "frame \(k): border band differs by \(all)")
        }
        for t in 0..<5 {
            if let k = try s.push(sequence: t, face: face, into: &out) { check(k) }
        }
        if let k = s.flush(into: &out) { check(k) }
        #expect(emitted == [0, 1, 2, 3, 4])
    }

    @Test("γ = 1 and `off` are the identity", arguments: [(SmoothingMode.causal, Float(1)), (.paper, 1), (.off, 0.7)])
    func identity(mode: SmoothingMode, gamma: Float) throws {
        let s = try Self.smoother(mode, gamma: gamma)
        let faces = (0..<4).map { flowTexture(side: Self.side, shiftX: Double($0) * 3, seed: Double($0)) }
        var out: [Float] = []
        for (t, face) in faces.enumerated() {
            if let k = try s.push(sequence: t, face: face, into: &out) { #expect(out == faces[k]) }
        }
        if let k = s.flush(into: &out) { #expect(out == faces[k]) }
    }

    @Test("causal blends with the previous output, not the previous input")
    func causalUsesPreviousOutput() throws {
        // Uniform faces: any flow warps them onto themselves, so only the blend is seen.
        let s = try Self.smoother(.causal)
        var out: [Float] = []
        var expected: Float = 0
        for (t, v) in [Float(0.2), 0.8, 0.5, 0.9].enumerated() {
            #expect(try s.push(sequence: t, face: Self.uniform(v), into: &out) == t)
            expected = t == 0 ? v : 0.7 * v + 0.3 * expected
            #expect(abs(out[100] - expected) <= 1e-6 && abs(out[3 * Self.side * Self.side - 1] - expected) <= 1e-6,
                    "frame \(t): \(out[100]) vs \(expected)")
        }
        // Blending with the previous input instead would give 0.7·0.9 + 0.3·0.5 = 0.78.
        #expect(abs(expected - 0.78) > 0.01)
    }

    @Test("paper holds each face back one frame, blends it with the next, flushes the last unsmoothed")
    func paperDelaysAndFlushes() throws {
        let s = try Self.smoother(.paper)
        var out: [Float] = []
        let values: [Float] = [0.2, 0.8, 0.5]
        #expect(try s.push(sequence: 10, face: Self.uniform(values[0]), into: &out) == nil)
        #expect(s.lastSequence == 10)
        #expect(try s.push(sequence: 11, face: Self.uniform(values[1]), into: &out) == 10)
        #expect(abs(out[5] - (0.7 * 0.2 + 0.3 * 0.8)) <= 1e-6)
        #expect(try s.push(sequence: 12, face: Self.uniform(values[2]), into: &out) == 11)
        #expect(abs(out[5] - (0.7 * 0.8 + 0.3 * 0.5)) <= 1e-6)
        #expect(s.flush(into: &out) == 12)
        #expect(out == Self.uniform(0.5))
        #expect(s.flush(into: &out) == nil)
    }

    @Test("track start, a gap in the sequence and reset give unsmoothed faces", arguments: [SmoothingMode.causal, .paper])
    func neighbourMissing(mode: SmoothingMode) throws {
        let s = try Self.smoother(mode)
        var out: [Float] = []
        var got: [Int: Float] = [:]
        func push(_ t: Int, _ v: Float) throws {
            if let k = try s.push(sequence: t, face: Self.uniform(v), into: &out) { got[k] = out[0] }
        }
        try push(0, 0.2)
        try push(5, 0.8)  // gap: 0 has no successor, 5 no predecessor
        if mode == .paper, let k = s.flush(into: &out) { got[k] = out[0] }
        s.reset()
        try push(6, 0.4)  // after reset: no predecessor
        if let k = s.flush(into: &out) { got[k] = out[0] }
        #expect(got == [0: 0.2, 5: 0.8, 6: 0.4])
    }

    @Test("motion is compensated: a moving texture blends without ghosting", arguments: [SmoothingMode.causal, .paper])
    func motionCompensated(mode: SmoothingMode) throws {
        // Content moves 1.5 px right and 1 px down per frame; flow on 16² greys, warp at 64².
        let faces = (0..<6).map { flowTexture(side: Self.side, shiftX: 1.5 * Double($0), shiftY: Double($0)) }
        let s = try Self.smoother(mode)
        var out: [Float] = []
        var compensated: Float = 0, naive: Float = 0, count = 0
        for (t, face) in faces.enumerated() {
            guard let k = try s.push(sequence: t, face: face, into: &out), k > 0, k < faces.count - 1 else { continue }
            let neighbour = mode == .paper ? faces[k + 1] : faces[k - 1]
            let blend = zip(faces[k], neighbour).map { 0.7 * $0 + 0.3 * $1 }
            compensated += Self.interiorRMSE(out, faces[k])
            naive += Self.interiorRMSE(blend, faces[k])
            count += 1
        }
        print("smoothing \(mode) of a moving texture: RMSE to the current face \(compensated / Float(count)) "
              + "with motion compensation, \(naive / Float(count)) without")
        #expect(count >= 3)
        #expect(compensated < 0.25 * naive)
    }

    @Test("γ outside 0…1 is refused", arguments: [Float(-0.1), 1.01, .nan])
    func badGamma(gamma: Float) {
        #expect(throws: FlowError.self) { try TemporalSmoother(mode: .causal, gamma: gamma) }
    }
}
