import Restore
import Testing

@Suite("Flow: bad input is a typed error, never a crash")
struct FlowBadInputTests {
    static let crop = [UInt8](repeating: 128, count: 256 * 256 * 3)

    static func isWrongSize(_ error: FlowError) -> Bool {
        if case .wrongSize = error { return true }
        return false
    }

    static func isInvalid(_ error: FlowError) -> Bool {
        if case .invalidParameter = error { return true }
        return false
    }

    @Test("a crop of the wrong size", arguments: [0, 256 * 256 * 3 - 1, 128 * 128 * 3, 256 * 256 * 4])
    func wrongCrop(count: Int) throws {
        var grey: [UInt8] = []
        let e = #expect(throws: FlowError.self) { try FlowGrey.modelGrey(crop: [UInt8](repeating: 0, count: count), into: &grey) }
        #expect(e.map(Self.isWrongSize) == true)
        #expect(e?.description.contains("expected 196608") == true)
    }

    @Test("ModelFlowInput rejects a bad crop and still works afterwards")
    func modelInputRecovers() throws {
        let input = try ModelFlowInput()
        var out: [Float] = []
        let k = { (s: Int) in ModelFlowInput.Key(track: 1, sequence: s) }
        let e = #expect(throws: FlowError.self) {
            try input.compute(previous: (k(0), Self.crop), centre: (k(1), Self.crop), next: (k(2), [1, 2, 3]), into: &out)
        }
        #expect(e.map(Self.isWrongSize) == true)
        try input.compute(previous: (k(0), Self.crop), centre: (k(1), Self.crop), next: (k(2), Self.crop), into: &out)
        #expect(out == [Float](repeating: 0, count: ModelFlowInput.count))
        // Each frame's grey once: 3 crops, the rejected one not counted.
        #expect(input.greysComputed == 3)
        try input.compute(previous: (k(1), Self.crop), centre: (k(2), Self.crop), next: (k(3), Self.crop), into: &out)
        #expect(input.greysComputed == 4)
    }

    @Test("OpticalFlow: images or a field of another size")
    func flowSizes() throws {
        let flow = try OpticalFlow(width: 32, height: 24)
        let grey = [UInt8](repeating: 0, count: 32 * 24)
        var field = flow.makeField()
        #expect(throws: FlowError.self) { try flow.compute(from: grey, to: [UInt8](repeating: 0, count: 32 * 23), into: &field) }
        #expect(throws: FlowError.self) { try flow.compute(from: [], to: grey, into: &field) }
        var small = FlowField(width: 24, height: 32)
        let e = #expect(throws: FlowError.self) { try flow.compute(from: grey, to: grey, into: &small) }
        #expect(e.map(Self.isWrongSize) == true)
        field.dx.removeLast()
        #expect(throws: FlowError.self) { try flow.compute(from: grey, to: grey, into: &field) }
        #expect(throws: FlowError.self) { try OpticalFlow(width: 0, height: 64) }
    }

    @Test("Farneback parameters out of range", arguments: [
        FarnebackParameters(pyrScale: 1), FarnebackParameters(pyrScale: 0), FarnebackParameters(levels: -1),
        FarnebackParameters(winsize: 0), FarnebackParameters(iterations: 0), FarnebackParameters(polyN: 6),
        FarnebackParameters(polySigma: 0), FarnebackParameters(polySigma: .nan),
        FarnebackParameters(flags: .init(rawValue: 2)),
    ])
    func badParameters(parameters: FarnebackParameters) {
        let e = #expect(throws: FlowError.self) { try OpticalFlow(width: 64, height: 64, parameters: parameters) }
        #expect(e.map(Self.isInvalid) == true)
    }

    @Test("unusable `flow` metadata", arguments: [
        "no parameters here",
        "params {\"pyr_scale\": 0.5, \"levels\": 2",
        "params {\"pyr_scale\": 0.5, \"levels\": 2, \"winsize\": 9, \"iterations\": 3, \"poly_n\": 5, \"poly_sigma\": 1.1}",
        "params {\"pyr_scale\": 0.5, \"levels\": 2.5, \"winsize\": 9, \"iterations\": 3, \"poly_n\": 5, \"poly_sigma\": 1.1, \"flags\": 0}",
        "params {\"pyr_scale\": 0.5, \"levels\": 2, \"winsize\": 9, \"iterations\": 3, \"poly_n\": 5, \"poly_sigma\": 1.1, \"flags\": 0, \"extra\": 1}",
        "params {\"pyr_scale\": \"half\", \"levels\": 2, \"winsize\": 9, \"iterations\": 3, \"poly_n\": 5, \"poly_sigma\": 1.1, \"flags\": 0}",
        "params {\"pyr_scale\": 0.5, \"levels\": 2, \"winsize\": 9, \"iterations\": 3, \"poly_n\": 6, \"poly_sigma\": 1.1, \"flags\": 0}",
    ])
    func badMetadata(text: String) {
        #expect(throws: FlowError.self) { try FarnebackParameters(modelMetadata: text) }
    }

    @Test("FlowWarp: wrong image size, flow larger than the image, non-finite flow")
    func warpInputs() throws {
        let warp = try FlowWarp()
        let image = [Float](repeating: 0.5, count: 3 * 16 * 16)
        var out: [Float] = []
        let e = #expect(throws: FlowError.self) {
            try warp.warp(Array(image.dropLast()), width: 16, height: 16, planes: 3, by: FlowField(width: 16, height: 16), into: &out)
        }
        #expect(e.map(Self.isWrongSize) == true)
        let big = #expect(throws: FlowError.self) {
            try warp.warp(image, width: 16, height: 16, planes: 3, by: FlowField(width: 32, height: 16), into: &out)
        }
        #expect(big.map(Self.isInvalid) == true)
        #expect(throws: FlowError.self) { try warp.warp(image, width: 16, height: 16, planes: 0, by: FlowField(width: 16, height: 16), into: &out) }
        #expect(throws: FlowError.self) { try FlowField(width: 4, height: 4, dx: [0], dy: [0]) }
        // NaN and huge vectors: OpenCV clamps the sampling positions (edges replicate); no crash.
        var wild = FlowField(width: 4, height: 4)
        wild.dx = [Float](repeating: .nan, count: 16)
        wild.dy = [Float](repeating: 1e30, count: 16)
        try warp.warp(image, width: 16, height: 16, planes: 3, by: wild, into: &out)
        #expect(out.count == image.count)
    }

    @Test("TemporalSmoother: a face of the wrong size changes nothing", arguments: [SmoothingMode.causal, .paper, .off])
    func smootherWrongSize(mode: SmoothingMode) throws {
        let s = try TemporalSmoother(mode: mode, side: 32, flowSide: 8)
        var out: [Float] = []
        let face = [Float](repeating: 0.25, count: 3 * 32 * 32)
        _ = try s.push(sequence: 0, face: face, into: &out)
        let e = #expect(throws: FlowError.self) { try s.push(sequence: 1, face: [Float](repeating: 0, count: 3 * 32 * 31), into: &out) }
        #expect(e.map(Self.isWrongSize) == true)
        _ = try s.push(sequence: 1, face: face, into: &out)
        #expect(out == face)
        #expect(throws: FlowError.self) { try TemporalSmoother(side: 256, flowSide: 60) }
    }
}
