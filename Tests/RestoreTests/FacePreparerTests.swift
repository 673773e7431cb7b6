import Foundation
import Media
import Testing
@testable import Restore

/// Crops and FHOG made by the tracking stage (the analysis thread) instead of the restoration
/// thread: the same restored frames, every face-frame's input taken from the stage, and the
/// arrays coming back to the stage's pools.
@Suite("Face crops and FHOG prepared on the analysis side")
struct FacePreparerTests {
    /// The detector sees the face move 3 px per frame (so boxes, and crops, change every frame).
    private func frontEnd(model: RestorationModel) throws -> FaceFrontEnd {
        nonisolated(unsafe) var calls = 0
        var settings = FaceTracker.Settings()
        settings.detectEvery = 1
        let tracker = FaceTracker(settings: settings, makeFollower: nil) { _, _, _, _ in
            defer { calls += 1 }
            return [FaceDetection(box: FaceBox(x: 80 + 3 * Double(calls), y: 70, width: 130, height: 130), score: 1)]
        }
        return try FaceFrontEnd(tracker: tracker, model: model)
    }

    private func run(_ input: [VideoFrame], detached: Bool) throws -> (out: [VideoFrame], frontEnd: FaceFrontEnd, stage: FaceTrackingStage?) {
        let model = try RestorationModel(path: EngineFixtures.path("tiny.safetensors"))
        let f = try frontEnd(model: model)
        let stage = detached ? f.detachAnalysis() as? FaceTrackingStage : nil
        var window = LookaheadWindow(radius: f.lookahead)
        var out: [VideoFrame] = []
        for frame in input {
            if let stage {
                f.frameArrived(analysed: stage.analyse(frame, deferring: false))
            } else {
                f.frameArrived(frame)
            }
            if let w = window.push(frame) { out.append(f.process(w)) }
        }
        for w in window.flush() { out.append(f.process(w)) }
        return (out, f, stage)
    }

    @Test("the stage's crops and FHOG restore the same frames as the restoration thread's own; their arrays are recycled")
    func sameFramesFromPreparedFaces() throws {
        let input = NoiseFrames.make(16)
        let inline = try run(input, detached: false)
        let detached = try run(input, detached: true)
        #expect(inline.out.count == 16 && detached.out.count == 16)
        #expect(zip(inline.out, detached.out).allSatisfy { $0.pixels == $1.pixels })
        #expect(zip(inline.out, input).filter { $0.pixels != $1.pixels }.count == 16, "the model changed every frame")
        let store = try #require(detached.frontEnd.preparedFaces)
        #expect(store.taken == 16 && store.unused == 0, "every face-frame's input came from the stage")
        let preparer = try #require(detached.stage?.preparer)
        // The window holds a few frames' crops; after that every crop and FHOG array is reused.
        #expect(preparer.crops.counters.allocated <= 8 && preparer.crops.counters.reused >= 8,
                "\(preparer.crops.counters)")
        // FHOG goes back as soon as its features are computed: three arrays for the frames
        // prepared before the first window (its lookahead), then the same ones over and over.
        #expect(preparer.features.counters.allocated == 3 && preparer.features.counters.reused == 13,
                "\(preparer.features.counters)")
        #expect(preparer.crops.counters.copiedOnWrite == 0 && preparer.features.counters.copiedOnWrite == 0)
        #expect(inline.frontEnd.preparedFaces == nil)
    }

    @Test("a prepared face is handed out only for its track's very box; faces nobody took go back to the pools")
    func storeMatchesBoxesAndRecyclesStale() throws {
        let preparer = try FacePreparer(crop: FaceCrop())
        let store = PreparedFaceStore(preparer: preparer, lookahead: 2)
        let frame = NoiseFrames.make(1)[0]
        let box = FaceBox(x: 90, y: 70, width: 130, height: 130)
        let track = FaceTrack(id: 7, box: box, score: 1, detectedNow: true)
        let faces = preparer.prepare(frame, tracks: [track])
        #expect(faces.count == 1)
        #expect(faces[0].crop == FaceCrop().sample(frame, region: FaceCrop().region(for: box)))
        #expect(faces[0].fhog == (try FHOGExtractor().extract(crop: faces[0].crop)))
        store.record(faces, sequence: 0)
        var moved = track
        moved.box.x += 1
        #expect(store.take(sequence: 0, track: moved) == nil)
        #expect(store.take(sequence: 1, track: track) == nil)
        // Frame 0 goes out of reach (2 · lookahead + 2 frames later) unused: its arrays go back.
        #expect(preparer.crops.spareCount == 0)
        store.record([], sequence: 6)
        #expect(store.unused == 0)
        store.record([], sequence: 7)
        #expect(store.unused == 1 && preparer.crops.spareCount == 1 && preparer.features.spareCount == 1)
        #expect(store.take(sequence: 0, track: track) == nil)
    }
}
