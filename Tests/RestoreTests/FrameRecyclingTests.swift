import Foundation
import Media
import Testing
@testable import Restore

/// The front end pasting into recycled frame arrays (what a session does) must give the same
/// frames as pasting into fresh ones, and must never write into a frame someone still holds.
@Suite("Frame recycling through the front end")
struct FrameRecyclingTests {
    private func run(_ input: [VideoFrame], pool: FrameStoragePool?) throws -> [VideoFrame] {
        let model = try RestorationModel(path: EngineFixtures.path("tiny.safetensors"))
        let frontEnd = try FaceFrontEnd(tracker: FaceTracker { _, _, _, _ in
            [FaceDetection(box: FaceBox(x: 90, y: 70, width: 130, height: 130), score: 1)]
        }, model: model)
        var window = LookaheadWindow(radius: frontEnd.lookahead)
        if let pool {
            window.recycleInto = pool
            frontEnd.takeFrameStorage(from: pool)
        }
        var out: [VideoFrame] = []
        func emit(_ w: FrameWindow) {
            let restored = frontEnd.process(w)
            out.append(restored)
            pool?.give(restored.pixels)
        }
        for f in input {
            frontEnd.frameArrived(f)
            if let w = window.push(f) { emit(w) }
        }
        for w in window.flush() { emit(w) }
        return out
    }

    @Test("same output with and without the pool; the input frames and earlier outputs are untouched")
    func sameFramesAndNoSharedWrites() throws {
        let input = NoiseFrames.make(12)
        let sums = input.map { $0.pixels.reduce(0) { $0 &+ Int($1) } }
        let pool = FrameStoragePool(limit: 4)
        let fresh = try run(input, pool: nil)
        let outSums = fresh.map { $0.pixels.reduce(0) { $0 &+ Int($1) } }
        let recycled = try run(input, pool: pool)
        #expect(recycled.count == 12)
        #expect(zip(fresh, recycled).allSatisfy { $0.pixels == $1.pixels })
        // The model changed the face: the paste really wrote into the recycled arrays.
        #expect(zip(fresh, input).filter { $0.pixels != $1.pixels }.count == 12)
        #expect(input.map { $0.pixels.reduce(0) { $0 &+ Int($1) } } == sums)
        #expect(fresh.map { $0.pixels.reduce(0) { $0 &+ Int($1) } } == outSums)
        #expect(pool.counters.reused > 0)
    }
}
