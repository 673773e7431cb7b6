import Foundation
import Media
import Testing
@testable import Restore

/// With a model, the detached analysis also makes each face's crop and FHOG (on the analysis
/// thread); the restored frames must be the same as when the restoration thread makes them.
@Suite("Crops and FHOG made by the detached analysis")
struct DetachedAnalysisTests {
    private func frames(_ n: Int) -> [VideoFrame] {
        (0..<n).map { s in
            var g = UInt64(s + 7) &* 0x9E37_79B9_7F4A_7C15
            let px = (0..<(480 * 300 * 3)).map { _ -> UInt8 in
                g = g &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: g >> 56)
            }
            return VideoFrame(width: 480, height: 300, pixels: px, pts: MediaTime(nanoseconds: Int64(s) * 40_000_000),
                              sequence: s, arrivalNanos: 0)
        }
    }

    /// Two faces apart, moving a little from frame to frame.
    private func frontEnd() throws -> FaceFrontEnd {
        let model = try RestorationModel(path: EngineFixtures.path("tiny.safetensors"))
        let counter = LockedValue(0)
        return try FaceFrontEnd(tracker: FaceTracker { _, _, _, _ in
            let n = Double(counter.update { $0 += 1; return $0 })
            return [FaceDetection(box: FaceBox(x: 40 + n, y: 60, width: 130, height: 130), score: 1),
                    FaceDetection(box: FaceBox(x: 300 - n, y: 90, width: 120, height: 120), score: 1)]
        }, model: model)
    }

    private func run(_ input: [VideoFrame], detached: Bool) throws -> (frames: [VideoFrame], visuals: [Int]) {
        let front = try frontEnd()
        let analysis = detached ? front.detachAnalysis() : nil
        var window = LookaheadWindow(radius: front.lookahead)
        var out: [VideoFrame] = [], visuals: [Int] = []
        for f in input {
            if let analysis {
                let analysed = analysis.analyse(f)
                visuals.append(analysed.visuals.count)
                front.frameArrived(analysed: analysed)
            } else {
                front.frameArrived(f)
            }
            if let w = window.push(f) { out.append(front.process(w)) }
        }
        for w in window.flush() { out.append(front.process(w)) }
        return (out, visuals)
    }

    @Test("same restored frames as crops made on the restoration thread; every face's crop made ahead")
    func sameFrames() throws {
        let input = frames(10)
        let attached = try run(input, detached: false)
        let detached = try run(input, detached: true)
        #expect(detached.frames.count == 10)
        #expect(detached.visuals == Array(repeating: 2, count: 10))
        #expect(zip(attached.frames, detached.frames).allSatisfy { $0.pixels == $1.pixels })
        // The model did change the faces (else equal outputs would prove nothing).
        #expect(zip(attached.frames, input).allSatisfy { $0.pixels != $1.pixels })
    }

    @Test("a visual input is handed out once and leaves with its frame")
    func takenOnce() {
        var recent = RecentTracks(lookahead: 2)
        let v = VisualInput(trackID: 3, region: FaceBox(x: 0, y: 0, width: 10, height: 10), crop: [1], fhog: [2])
        recent.record([], visuals: [v], sequence: 0)
        #expect(recent.takeVisual(sequence: 0, trackID: 4) == nil)
        #expect(recent.takeVisual(sequence: 0, trackID: 3)?.crop == [1])
        #expect(recent.takeVisual(sequence: 0, trackID: 3) == nil)
        recent.record([], visuals: [v], sequence: 1)
        for s in 2...(1 + recent.keep) { recent.record([], sequence: s) }
        #expect(recent.takeVisual(sequence: 1, trackID: 3) == nil, "kept past the window")
    }
}
