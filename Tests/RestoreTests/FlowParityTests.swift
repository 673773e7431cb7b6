import Foundation
import Restore
import Testing

@Suite("Flow: the model's flow input equals training/data.py with cv2")
struct FlowParityTests {
    /// Same library (libopencv 4.6) on both sides: the flow should be identical; this is the
    /// stated tolerance, the measured difference is printed.
    static let flowTolerance: Float = 1e-5

    @Test("64×64 grey of real LQ crops: bit-exact with data.py")
    func greyOfRealCrops() throws {
        let crops = try FlowFixture.bytes("window.crops.u8"), expected = try FlowFixture.bytes("window.greys.u8")
        var grey: [UInt8] = []
        for k in 0..<3 {
            try FlowGrey.modelGrey(crop: FlowFixture.part(crops, k, of: 3), into: &grey)
            let differing = zip(grey, FlowFixture.part(expected, k, of: 3)).filter { $0 != $1 }.count
            #expect(grey.count == 4096 && differing == 0, "crop \(k): \(differing) grey pixels differ from data.py")
        }
    }

    @Test("64×64 grey of a crop made only of blocks whose mean is exactly on .5: bit-exact")
    func greyOfTies() throws {
        var grey: [UInt8] = []
        try FlowGrey.modelGrey(crop: try FlowFixture.tieCrop(), into: &grey)
        let expected = try FlowFixture.bytes("ties.grey.u8")
        let differing = zip(grey, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of 4096 grey pixels differ from data.py")
    }

    @Test("the tie crop tells rounding recipes apart (else the test above proves little)")
    func tieCropIsDiscriminating() throws {
        // Exact arithmetic with ties rounding up: what a straightforward implementation gives.
        let crop = try FlowFixture.tieCrop(), expected = try FlowFixture.bytes("ties.grey.u8")
        var differing = 0
        for by in 0..<64 {
            for bx in 0..<64 {
                var s = 0
                for y in (by * 4)..<(by * 4 + 4) {
                    for x in (bx * 4)..<(bx * 4 + 4) {
                        let o = (y * 256 + x) * 3
                        s += 299 * Int(crop[o]) + 587 * Int(crop[o + 1]) + 114 * Int(crop[o + 2])
                    }
                }
                if UInt8((s + 8000) / 16000) != expected[by * 64 + bx] { differing += 1 }
            }
        }
        #expect(differing > 0)
    }

    @Test("Farneback on data.py's greys equals cv2.calcOpticalFlowFarneback",
          arguments: ["window", "extra0", "extra1"])
    func farneback(name: String) throws {
        let greys = try FlowFixture.bytes("\(name).greys.u8"), expected = try FlowFixture.floats("\(name).flow.f32")
        let flow = try OpticalFlow(width: 64, height: 64)
        var field = flow.makeField()
        var got: [Float] = []
        for neighbour in [0, 2] {
            try flow.compute(from: FlowFixture.part(greys, 1, of: 3), to: FlowFixture.part(greys, neighbour, of: 3),
                             into: &field)
            got += field.dx + field.dy
        }
        let diff = flowMaxAbsDifference(got, expected)
        let largest = expected.map(abs).max() ?? 0
        print("Farneback parity \(name): max |swift − cv2| = \(diff) (largest |flow| \(largest) px)")
        #expect(diff <= Self.flowTolerance)
        #expect(largest > 0.5, "the fixture's flow is trivial")
    }

    @Test("ModelFlowInput from three LQ crops equals training's flow input")
    func modelFlowInput() throws {
        let crops = try FlowFixture.bytes("window.crops.u8"), expected = try FlowFixture.floats("window.flow.f32")
        let input = try ModelFlowInput()
        var out: [Float] = []
        let key = { (s: Int) in ModelFlowInput.Key(track: 7, sequence: s) }
        try input.compute(previous: (key(22), FlowFixture.part(crops, 0, of: 3)),
                          centre: (key(23), FlowFixture.part(crops, 1, of: 3)),
                          next: (key(24), FlowFixture.part(crops, 2, of: 3)), into: &out)
        #expect(out.count == ModelFlowInput.count)
        let diff = flowMaxAbsDifference(out, expected)
        print("ModelFlowInput parity: max |swift − data.py| = \(diff)")
        #expect(diff <= Self.flowTolerance)
    }

    @Test("FlowWarp equals cv2.remap with the flow resized by cv2.resize", arguments: [0, 1])
    func warp(index: Int) throws {
        let cases = [(planes: 3, height: 64, width: 64, fh: 16, fw: 16), (planes: 2, height: 40, width: 60, fh: 10, fw: 16)]
        let c = cases[index]
        let (image, dx, dy) = FlowFixture.warpInputs(planes: c.planes, height: c.height, width: c.width,
                                                     flowHeight: c.fh, flowWidth: c.fw)
        let field = try FlowField(width: c.fw, height: c.fh, dx: dx, dy: dy)
        var out: [Float] = []
        try FlowWarp().warp(image, width: c.width, height: c.height, planes: c.planes, by: field, into: &out)
        let expected = try FlowFixture.floats("warp\(index).f32")
        let diff = flowMaxAbsDifference(out, expected)
        print("warp parity \(index): max |swift − cv2| = \(diff)")
        #expect(diff <= 1e-6)
    }

    @Test("Farneback parameters from an exported model's `flow` metadata")
    func metadata() throws {
        // Exactly what training/export.py writes (json.dumps of data.FLOW_PARAMS).
        let text = "OpenCV Farneback from the centre LQ crop to t-1 then to t+1, on grey (0.299 R + 0.587 G + "
            + "0.114 B) 4x4-box-averaged, rounded uint8 64x64 images; params {\"pyr_scale\": 0.5, \"levels\": 2, "
            + "\"winsize\": 9, \"iterations\": 3, \"poly_n\": 5, \"poly_sigma\": 1.1, \"flags\": 0}; "
            + "channels [dx(t-1), dy(t-1), dx(t+1), dy(t+1)] in 64x64 pixels"
        #expect(try FarnebackParameters(modelMetadata: text) == .model)
        let other = text.replacingOccurrences(of: "\"winsize\": 9", with: "\"winsize\": 15")
        #expect(try FarnebackParameters(modelMetadata: other).winsize == 15)
    }
}
