import Foundation
import Media
import Restore
import Testing

/// `facerestored restore` with weights: the face changes, nothing else does, and the stream's
/// structure (frames, PTS, audio) survives. The weights are the engine's tiny 256² parity model
/// (Tests/Fixtures/engine), so these tests do not depend on the shipped default weights.
@Suite("Restoring a file with a model", .serialized)
struct RestoreWithModelTests {
    static let tinyModel = TestSupport.repoRoot.appendingPathComponent("Tests/Fixtures/engine/tiny.safetensors").path

    /// Mean absolute difference of two frames inside `box` and the count of differing bytes
    /// outside `outer`.
    private func compare(_ a: VideoFrame, _ b: VideoFrame, inside box: FaceBox, outside outer: FaceBox) -> (meanInside: Double, changedOutside: Int) {
        var sum = 0.0, n = 0, changed = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                let fx = Double(x) + 0.5, fy = Double(y) + 0.5
                let inBox = fx >= box.x && fx < box.x + box.width && fy >= box.y && fy < box.y + box.height
                let inOuter = fx >= outer.x && fx < outer.x + outer.width && fy >= outer.y && fy < outer.y + outer.height
                for c in 0..<3 {
                    let i = (y * a.width + x) * 3 + c
                    let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
                    if inBox { sum += Double(d); n += 1 }
                    if !inOuter && d != 0 { changed += 1 }
                }
            }
        }
        return (sum / Double(max(n, 1)), changed)
    }

    @Test("the face is restored, the rest of the frame is bit-exact; frame count, PTS and audio are kept",
          arguments: ["causal", "paper", "off"])
    func restoresTheFaceOnly(smoothing: String) throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, [
            "restore", TestSupport.demoClip, "-o", out, "--model", Self.tinyModel, "--smoothing", smoothing,
            "--video-codec", "raw", "--audio-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("model: tiny"), "\(r.stderr)")
        #expect(r.stderr.contains("restored 75 face-frames"), "\(r.stderr)")
        let input = try TestSupport.decode(TestSupport.demoClip), output = try TestSupport.decode(out)
        #expect(output.frames.count == input.frames.count)
        // Matroska stores times in milliseconds: equal to within 1 ms, including the clip's own
        // PTS jump after 1.68 s.
        let drift = zip(output.frames, input.frames).map { abs($0.pts.nanoseconds - $1.pts.nanoseconds) }.max() ?? 0
        #expect(drift <= 1_000_000, "PTS differ by up to \(drift) ns")
        #expect(abs(output.audioSeconds - input.audioSeconds) < 0.04, "audio \(output.audioSeconds) s vs \(input.audioSeconds) s")
        let detector = try FaceDetector()
        for i in [5, 37, 70] {
            let box = try #require(try detector.detect(in: input.frames[i]).first).box
            let outer = FaceCrop().region(for: box)
            let d = compare(output.frames[i], input.frames[i], inside: box, outside: outer)
            #expect(d.meanInside > 1, "frame \(i): the face barely changed (mean |Δ| \(d.meanInside))")
            #expect(d.changedOutside == 0, "frame \(i): \(d.changedOutside) bytes changed away from the face")
        }
    }

    @Test("side-by-side with a model: input on the left, restored on the right")
    func sideBySide() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, [
            "restore", TestSupport.demoClip, "-o", out, "--model", Self.tinyModel, "--side-by-side",
            "--video-codec", "raw", "--audio-codec", "raw", "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        let input = try TestSupport.decode(TestSupport.demoClip).frames, output = try TestSupport.decode(out).frames
        #expect(output.count == input.count)
        let a = input[40], b = output[40]
        #expect(b.width == 2 * a.width)
        var leftSame = true, rightDiffers = 0
        for y in 0..<a.height {
            let row = y * a.width * 3, wide = y * b.width * 3
            if Array(b.pixels[wide..<(wide + a.width * 3)]) != Array(a.pixels[row..<(row + a.width * 3)]) { leftSame = false }
            rightDiffers += zip(b.pixels[(wide + a.width * 3)..<(wide + 2 * a.width * 3)], a.pixels[row..<(row + a.width * 3)])
                .filter { $0 != $1 }.count
        }
        #expect(leftSame)
        #expect(rightDiffers > 1000)
    }

    @Test("bad weights stop the run before any output is written, with the reason", arguments: ["truncated", "nan", "missing"])
    func badWeights(kind: String) throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let weights = dir.appendingPathComponent("w.safetensors")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.tinyModel))
        switch kind {
        case "truncated": bytes = bytes.prefix(bytes.count / 2)
        case "nan":
            // The last 4 bytes are the end of the last tensor's data: make that float a NaN.
            bytes.replaceSubrange((bytes.count - 4)..<bytes.count, with: [0x00, 0x00, 0xC0, 0x7F])
        default: break
        }
        if kind != "missing" { try bytes.write(to: weights) }
        let out = dir.appendingPathComponent("o.mkv").path
        let r = try TestSupport.run(TestSupport.binary, ["restore", TestSupport.demoClip, "-o", out, "--model", weights.path, "-q"])
        #expect(r.status != 0)
        #expect(r.stderr.contains(weights.path), "\(r.stderr)")
        let expected = ["truncated": "cannot use the model", "nan": "NaN", "missing": "does not exist"][kind]!
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("a source without audio is restored by the weights' no-audio variant when one lies beside them, else with silence")
    func noAudioVariant() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let silent = dir.appendingPathComponent("video-only.mkv").path
        let cut = try TestSupport.run("/usr/bin/ffmpeg", ["-v", "error", "-i", TestSupport.demoClip, "-an", "-c:v", "copy", silent])
        try #require(cut.status == 0, "\(cut.stderr)")
        // tiny.safetensors has tiny-no-audio.safetensors beside it; a lone copy has none.
        let lone = dir.appendingPathComponent("lone.safetensors").path
        try FileManager.default.copyItem(atPath: Self.tinyModel, toPath: lone)
        var outputs: [[VideoFrame]] = []
        for (weights, expected) in [(Self.tinyModel, "no-audio variant"), (lone, "silent (zero) audio context")] {
            let out = dir.appendingPathComponent("o\(outputs.count).mkv").path
            let r = try TestSupport.run(TestSupport.binary, [
                "restore", silent, "-o", out, "--model", weights, "--video-codec", "raw", "-q"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains(expected), "\(r.stderr)")
            #expect(r.stderr.contains("restored 75 face-frames"), "\(r.stderr)")
            outputs.append(try TestSupport.decode(out).frames)
        }
        #expect(outputs[0].count == 75 && outputs[1].count == 75)
        #expect(outputs[0][37].pixels != outputs[1][37].pixels, "the no-audio variant was not the model that ran")
    }
}
