import Foundation
import Media
import Restore
import Testing

/// Reads a safetensors file written by `facerestored features` (header + raw little-endian data).
private struct SafeTensorsFile {
    let header: [String: Any]
    let data: Data
    let base: Int

    init(path: String) throws {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + Int(n)))) as! [String: Any]
        base = 8 + Int(n)
    }

    func shape(_ name: String) -> [Int] { ((header[name] as? [String: Any])?["shape"] as? [Int]) ?? [] }

    func floats(_ name: String) -> [Float] {
        let offsets = (header[name] as! [String: Any])["data_offsets"] as! [Int]
        return data.subdata(in: (base + offsets[0])..<(base + offsets[1])).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    func int32s(_ name: String) -> [Int32] {
        let offsets = (header[name] as! [String: Any])["data_offsets"] as! [Int]
        return data.subdata(in: (base + offsets[0])..<(base + offsets[1])).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
    }
}

@Suite("Face front end on real clips", .serialized)
struct FaceFrontEndTests {
    @Test("tracked boxes (detection every 5th frame) match dlib run on every full frame: IoU ≥ 0.5 on ≥ 95 % of frames",
          arguments: ["grid_bbaf2n.mpg", "grid_lbax4n.mpg", "grid_sbwe5n.mpg"])
    func trackingMatchesPerFrameDetection(clip: String) throws {
        let path = TestSupport.repoRoot.appendingPathComponent("data/\(clip)").path
        let frames = try TestSupport.decode(path).frames
        let reference = try FaceDetector()
        let tracker = FaceTracker(settings: FaceTracker.Settings(), detector: try FaceDetector())
        var good = 0, compared = 0
        for frame in frames {
            let tracks = tracker.update(frame)
            guard let truth = try reference.detect(in: frame).first else { continue }
            compared += 1
            if let best = tracks.map({ $0.box.iou(truth.box) }).max(), best >= 0.5 { good += 1 }
        }
        #expect(compared >= 70)
        #expect(Double(good) / Double(max(compared, 1)) >= 0.95, "\(good) of \(compared) frames")
    }

    @Test("features: per frame and track the box, 256² crop, FHOG 31×64×64 and the 5×80 MFCC context")
    func featuresFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("f.safetensors").path
        let r = try TestSupport.run(TestSupport.binary, ["features", TestSupport.demoClip, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try SafeTensorsFile(path: out)
        #expect(f.shape("fhog") == [75, 31, 64, 64])
        #expect(f.shape("mfcc_context") == [75, 5, 80])
        #expect(f.shape("crops") == [75, 256, 256, 3])
        #expect(f.int32s("frame_index") == (0..<75).map(Int32.init))
        // The speech is there: away from the clip's ends (its first frame precedes the audio, its
        // last frames outlast it) the context is complete and not silent.
        let missing = f.int32s("mfcc_missing_frames")
        #expect(missing[2..<70].allSatisfy { $0 == 0 }, "\(missing)")
        let mfcc = f.floats("mfcc_context")
        #expect(mfcc.contains { $0 != 0 })
        // FHOG of the stored crop, recomputed, is what was stored (same code path as the daemon).
        let crops = f.data.subdata(in: (f.base + ((f.header["crops"] as! [String: Any])["data_offsets"] as! [Int])[0])..<f.data.count)
        let crop10 = Array(crops[(10 * 256 * 256 * 3)..<(11 * 256 * 256 * 3)])
        let fhog10 = Array(f.floats("fhog")[(10 * 31 * 64 * 64)..<(11 * 31 * 64 * 64)])
        #expect(try FHOGExtractor().extract(crop: crop10) == fhog10)
    }

    @Test("a source with no face and no audio: no crash, every frame counted as faceless, contexts all missing")
    func noFaceNoAudio() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, [
            "restore", "--model", "none", "videotestsrc num-buffers=40 pattern=snow ! video/x-raw,width=320,height=240,framerate=25/1",
            "-o", out, "--video-codec", "raw"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("no audio track"))
        #expect(r.stderr.contains("faces: 0 face-frames in 40 frames, 40 frames without a face"), "\(r.stderr)")
    }

    @Test("a face half outside the frame: crops are padded, the paste is still bit-exact at the border")
    func faceAtTheBorder() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Cut 60 px off the left: the face stays whole, its crop region reaches past the left edge.
        let shifted = "filesrc location=\(TestSupport.demoClip) ! decodebin ! videoconvert ! videobox left=60 ! video/x-raw,format=RGB"
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", "--model", "none", shifted, "-o", out, "--video-codec", "raw", "--audio-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("faces: 75 face-frames"), "\(r.stderr)")
        let a = try TestSupport.decode(out).frames, b = try TestSupport.decode(shifted).frames
        #expect(a.count == b.count && a.count > 70)
        #expect(zip(a, b).allSatisfy { $0.pixels == $1.pixels })
    }
}
