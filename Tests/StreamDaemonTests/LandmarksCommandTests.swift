import Foundation
import Media
import Restore
import Testing

/// `facerestored landmarks`: the evaluation's TLME input, measured in the boxes of a features file.
@Suite("Landmarks command", .serialized)
struct LandmarksCommandTests {
    @Test("landmarks of the demo clip in its own boxes: one row per face-frame, equal to dlib called directly")
    func landmarksMatchDlib() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let features = dir.appendingPathComponent("f.safetensors").path, out = dir.appendingPathComponent("l.safetensors").path
        var r = try TestSupport.run(TestSupport.binary, ["features", TestSupport.demoClip, "-o", features, "--no-crops"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try TestSupport.run(TestSupport.binary, ["landmarks", TestSupport.demoClip, "--features", features, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try Restore.SafeTensorsFile(path: features), l = try Restore.SafeTensorsFile(path: out)
        let marks = try l.floats("landmarks"), boxes = try f.floats("box_xywh")
        #expect(l.tensors["landmarks"]?.shape == [75, 68, 2])
        let rows = try l.int32s("frame_index"), expected = try f.int32s("frame_index")
        #expect(rows == expected)
        #expect(marks.allSatisfy { $0.isFinite })
        // Frame 30, row 30: the command's points are dlib's on that frame and box.
        let frames = try TestSupport.decode(TestSupport.demoClip).frames
        let b = boxes[120..<124].map(Double.init)
        let direct = try LandmarkPredictor().predict(in: frames[30], box: FaceBox(x: b[0], y: b[1], width: b[2], height: b[3]))
        for (i, p) in direct.enumerated() {
            #expect(abs(Double(marks[(30 * 68 + i) * 2]) - p.x) < 1e-3 && abs(Double(marks[(30 * 68 + i) * 2 + 1]) - p.y) < 1e-3)
        }
    }

    @Test("a file that is not a features file is refused with what to do")
    func badFeatures() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junk = dir.appendingPathComponent("j.safetensors")
        try Data("not a safetensors file".utf8).write(to: junk)
        let out = dir.appendingPathComponent("l.safetensors").path
        let r = try TestSupport.run(TestSupport.binary, ["landmarks", TestSupport.demoClip, "--features", junk.path, "-o", out])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot read the features file") && r.stderr.contains("facerestored features"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
