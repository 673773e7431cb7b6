import Foundation
import Restore
import Testing

/// Timings, not checks: run on a release build with
/// `FACERESTORED_FLOW_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter FlowBenchmark`.
@Suite("Flow: timings (FACERESTORED_FLOW_BENCH=1, release build)",
       .enabled(if: ProcessInfo.processInfo.environment["FACERESTORED_FLOW_BENCH"] != nil))
struct FlowBenchmarkTests {
    /// Median milliseconds of `body` over `runs` calls after `warmup` ones.
    static func median(warmup: Int = 20, runs: Int = 300, _ body: (Int) throws -> Void) rethrows -> Double {
        for i in 0..<warmup { try body(i) }
        var times: [Double] = []
        for i in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body(warmup + i)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[runs / 2]
    }

    @Test("model flow input, flow pair, grey, smoothing of one 256² face")
    func timings() throws {
        let crops = try FlowFixture.bytes("window.crops.u8")
        let window = (0..<3).map { FlowFixture.part(crops, $0, of: 3) }
        let input = try ModelFlowInput()
        var out: [Float] = []
        // A stream: each call brings one new frame (two greys come from the cache).
        let stream = try Self.median { i in
            let k = { (s: Int) in ModelFlowInput.Key(track: 0, sequence: s) }
            try input.compute(previous: (k(i), window[i % 3]), centre: (k(i + 1), window[(i + 1) % 3]),
                              next: (k(i + 2), window[(i + 2) % 3]), into: &out)
        }
        var grey: [UInt8] = []
        let greyTime = try Self.median { i in try FlowGrey.modelGrey(crop: window[i % 3], into: &grey) }
        let greys = try (0..<3).map { try input.grey(.init(track: 9, sequence: $0), crop: window[$0]) }
        let flow = try OpticalFlow(width: 64, height: 64)
        var field = flow.makeField()
        let pair = try Self.median { _ in
            try flow.compute(from: greys[1], to: greys[0], into: &field)
            try flow.compute(from: greys[1], to: greys[2], into: &field)
        }
        print(String(format: "flow bench: model flow input per frame (1 grey + 2 Farneback 64²) %.3f ms; "
                     + "Farneback pair 64² %.3f ms; model grey %.3f ms", stream, pair, greyTime))

        let faces = (0..<4).map { flowTexture(side: 256, shiftX: 1.5 * Double($0), shiftY: Double($0)) }
        for mode in [SmoothingMode.causal, .paper, .off] {
            let s = try TemporalSmoother(mode: mode)
            let t = try Self.median { i in _ = try s.push(sequence: i, face: faces[i % 4], into: &out) }
            print(String(format: "flow bench: TemporalSmoother %@ push of one 256² face %.3f ms", mode.rawValue, t))
        }
        var small: [UInt8] = []
        let restoredGrey = try Self.median { i in
            try FlowGrey.restoredGrey(face: faces[i % 4], faceSide: 256, side: 64, into: &small)
        }
        let warp = try FlowWarp()
        var warped: [Float] = []
        let warpTime = try Self.median { i in
            try warp.warp(faces[i % 4], width: 256, height: 256, planes: 3, by: field, into: &warped)
        }
        print(String(format: "flow bench: parts: restored grey 64² %.3f ms, warp 3×256² by a 64² flow %.3f ms",
                     restoredGrey, warpTime))
    }
}
