import Foundation
import Media
import Testing
@testable import Restore

/// The stream restorer on the tiny 256² model with the real validation crops of its parity
/// fixture: faces of different tracks never influence each other, every face of every frame
/// comes out exactly once in every smoothing mode, and flicker control is counted.
private enum FixtureError: Error { case unexpected(String) }

@Suite("Model restorer (per stream)")
struct ModelRestorerTests {
    /// Ten real crops (two 5-frame fixture windows) with their FHOG and MFCC contexts.
    struct Faces {
        let crops: [[UInt8]]
        let fhogs: [[Float]]
        let mfccs: [[Float]]

        init() throws {
            let fx = try EngineFixtures.file("tiny-fixtures.safetensors")
            let crops = try fx.uint8s("input_lq_crops_u8"), mfcc = try fx.floats("input_mfcc")
            let bytes = 256 * 256 * 3, ctx = 5 * 80
            let extractor = try FHOGExtractor()
            var c: [[UInt8]] = [], h: [[Float]] = [], m: [[Float]] = []
            for i in 0..<10 {
                let crop = Array(crops[(i * bytes)..<((i + 1) * bytes)])
                c.append(crop)
                h.append(try extractor.extract(crop: crop))
                // input_mfcc is [window][frame][5 rows][80]: frame i's own context.
                m.append(Array(mfcc[(i * ctx)..<((i + 1) * ctx)]))
            }
            guard crops.count == 10 * bytes else { throw FixtureError.unexpected("\(crops.count / bytes) crops, expected 10") }
            (self.crops, self.fhogs, self.mfccs) = (c, h, m)
        }
    }

    static let model = Result { try RestorationModel(path: EngineFixtures.path("tiny.safetensors")) }

    /// Track `id` shows face `(id * 3 + s) % 10` at frame s, inside a 300×300 frame.
    private func face(track id: Int, frame s: Int, _ faces: Faces) -> FaceInput {
        let i = (id * 3 + s) % 10
        let box = FaceBox(x: Double(id) * 20, y: 10, width: 256, height: 256)
        let context = AudioContext(time: MediaTime(nanoseconds: Int64(s) * 40_000_000), size: 5, coefficientCount: 80,
                                   features: faces.mfccs[i], frameTimes: Array(repeating: nil, count: 5), missingFrames: 0)
        return FaceInput(region: box, crop: faces.crops[i], fhog: faces.fhogs[i], audio: context)
    }

    /// Runs `frames` frames with the tracks `present(s)` through a restorer as the front end
    /// does (the lookahead window, flushed at the end); patches keyed by frame and track.
    private func run(frames: Int, present: (Int) -> [Int], smoothing: SmoothingMode, hysteresis: Float = 0,
                     faces: Faces) throws -> (patches: [[Int: [UInt8]]], counters: ModelRestorer.Counters) {
        let restorer = try ModelRestorer(model: try Self.model.get(),
                                         settings: RestorationSettings(smoothing: smoothing, hysteresis: hysteresis))
        var window = LookaheadWindow(radius: restorer.lookahead)
        var out: [[Int: [UInt8]]] = []
        func track(_ id: Int) -> FaceTrack {
            FaceTrack(id: id, box: FaceBox(x: Double(id) * 20, y: 10, width: 142, height: 142), score: 1, detectedNow: true)
        }
        func release(_ w: FrameWindow) throws {
            var byTrack: [Int: [UInt8]] = [:]
            let patches = try restorer.restore(w, tracks: { s in s >= 0 && s < frames ? present(s).map(track) : [] },
                                               input: { frame, t in face(track: t.id, frame: frame.sequence, faces) })
            for p in patches { byTrack[Int(p.region.x / 20)] = p.restored }
            out.append(byTrack)
        }
        for s in 0..<frames {
            let frame = VideoFrame(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 48),
                                   pts: MediaTime(nanoseconds: Int64(s) * 40_000_000), sequence: s, arrivalNanos: 0)
            if let w = window.push(frame) { try release(w) }
        }
        for w in window.flush() { try release(w) }
        return (out, restorer.counters)
    }

    @Test("two faces in one stream come out as each alone, bit for bit", arguments: SmoothingMode.allCases)
    func facesAreIndependent(smoothing: SmoothingMode) throws {
        let faces = try Faces()
        let both = try run(frames: 9, present: { _ in [0, 1] }, smoothing: smoothing, hysteresis: 0.5, faces: faces)
        let a = try run(frames: 9, present: { _ in [0] }, smoothing: smoothing, hysteresis: 0.5, faces: faces)
        let b = try run(frames: 9, present: { _ in [1] }, smoothing: smoothing, hysteresis: 0.5, faces: faces)
        #expect(both.patches.count == 9)
        for s in 0..<9 {
            #expect(both.patches[s][0] == a.patches[s][0], "frame \(s), face 0")
            #expect(both.patches[s][1] == b.patches[s][1], "frame \(s), face 1")
        }
        #expect(both.counters.facesRestored == 18)
    }

    @Test("every face of every frame comes out once, also for a track that starts and ends mid-stream",
          arguments: SmoothingMode.allCases)
    func everyFaceOnce(smoothing: SmoothingMode) throws {
        let faces = try Faces()
        // Track 0 throughout; track 1 on frames 3…6 only.
        let r = try run(frames: 10, present: { s in (3...6).contains(s) ? [0, 1] : [0] }, smoothing: smoothing, faces: faces)
        #expect(r.patches.count == 10)
        for s in 0..<10 {
            #expect(r.patches[s].keys.sorted() == ((3...6).contains(s) ? [0, 1] : [0]), "frame \(s)")
        }
        #expect(r.counters.facesRestored == 14)
    }

    @Test("smoothing changes the output, and paper differs from causal")
    func smoothingModesDiffer() throws {
        let faces = try Faces()
        let off = try run(frames: 6, present: { _ in [0] }, smoothing: .off, faces: faces)
        let causal = try run(frames: 6, present: { _ in [0] }, smoothing: .causal, faces: faces)
        let paper = try run(frames: 6, present: { _ in [0] }, smoothing: .paper, faces: faces)
        // The first frame has no predecessor: causal leaves it as is.
        #expect(causal.patches[0][0] == off.patches[0][0])
        #expect(causal.patches[3][0] != off.patches[3][0])
        #expect(paper.patches[3][0] != off.patches[3][0])
        #expect(paper.patches[3][0] != causal.patches[3][0])
        // The last frame has no successor: paper leaves it as is.
        #expect(paper.patches[5][0] == off.patches[5][0])
    }

    @Test("hysteresis lowers the code-switch rate")
    func hysteresisCounts() throws {
        let faces = try Faces()
        let plain = try run(frames: 10, present: { _ in [0] }, smoothing: .off, hysteresis: 0, faces: faces)
        let held = try run(frames: 10, present: { _ in [0] }, smoothing: .off, hysteresis: 1000, faces: faces)
        #expect(plain.counters.codePositionsCompared == 9 * 16 * 16)
        #expect(plain.counters.codeSwitchRate > 0)
        #expect(held.counters.codeSwitchRate == 0)
    }

    @Test("after frames passed through unrestored (overload), only new frames are computed: no catch-up work")
    func passthroughGapsCostNothing() throws {
        let faces = try Faces()
        let restorer = try ModelRestorer(model: try Self.model.get(), settings: RestorationSettings(smoothing: .causal))
        var window = LookaheadWindow(radius: restorer.lookahead)
        var computed: [Int] = []
        let track = FaceTrack(id: 0, box: FaceBox(x: 0, y: 10, width: 142, height: 142), score: 1, detectedNow: true)
        for s in 0..<12 {
            let frame = VideoFrame(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 48),
                                   pts: MediaTime(nanoseconds: Int64(s) * 40_000_000), sequence: s, arrivalNanos: 0)
            guard let w = window.push(frame) else { continue }
            // Frames 4, 5 and 6 leave unrestored, as the overload policy does.
            if (4...6).contains(w.centreFrame.sequence) { continue }
            computed.removeAll()
            let patches = try restorer.restore(w, tracks: { _ in [track] }, input: { f, t in
                computed.append(f.sequence)
                return face(track: t.id, frame: f.sequence, faces)
            })
            #expect(patches.count == 1)
            if w.centreFrame.sequence == 7 {
                // The window is 5…9: 5 was computed as frame 3's lookahead, 6 by no window (4–6
                // were skipped) and stays absent instead of being computed late; 7–9 are new.
                #expect(computed.sorted() == [7, 8, 9], "computed \(computed)")
            } else if w.centreFrame.sequence > 0 {
                #expect(computed == [w.centreFrame.sequence + 2], "frame \(w.centreFrame.sequence): computed \(computed)")
            }
        }
    }

    @Test("a model whose face size is not the crop size is refused with the reason")
    func wrongImageSize() throws {
        let small = try RestorationModel(path: EngineFixtures.path("tiny64-no-audio.safetensors"))
        #expect(throws: ModelError.self) { try ModelRestorer(model: small, settings: RestorationSettings()) }
    }
}
