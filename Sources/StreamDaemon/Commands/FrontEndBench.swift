import ArgumentParser
import Foundation
import GstBridge
import Media
import Restore

/// `facerestored bench frontend`: cost of each front-end stage on real frames, and the share of
/// a 33 ms frame (30 fps) it takes at 1280×720 with 1 and 4 faces.
struct FrontEndBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontend",
        abstract: "Detection, tracking, crop, FHOG, MFCC and paste costs; frame-budget share at 720p.")

    @Option(help: "Clip whose frames are used (default: the shipped demo clip).")
    var clip: String = DemoClip.path

    @Option(help: "Repetitions per measurement.")
    var repeats = 20

    func run() throws {
        let frames = try decodeFrames(clip)
        guard frames.count >= 10 else { throw CLIError("the clip \(clip) gave fewer than 10 frames") }
        let detector = try FaceDetector()
        let fhog = try FHOGExtractor()
        let crop = FaceCrop(), paste = FeatheredPaste()
        // A 1280×720 frame made of the clip's frame, upscaled ×2.5 and centred (one face), and a
        // 2×2 mosaic of four clip frames scaled to 640×360 each (four faces).
        let one = composeHD(frames[10], tiles: 1)
        let four = composeHD(frames[10], tiles: 2)
        print("facerestored bench frontend — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(repeats) repeats, median ms")
        func median(_ body: () throws -> Void) rethrows -> Double {
            var t: [Double] = []
            for _ in 0..<repeats {
                let a = MonotonicClock.now()
                try body()
                t.append(Double(MonotonicClock.now() - a) / 1e6)
            }
            return t.sorted()[t.count / 2]
        }
        let settings = FaceTracker.Settings()
        let factor = FrameDownscaler.factor(width: one.width, targetWidth: settings.detectionWidth)
        let small1 = FrameDownscaler.downscale(one, factor: factor), small4 = FrameDownscaler.downscale(four, factor: factor)
        let downscale = median { _ = FrameDownscaler.downscale(one, factor: factor) }
        let detect1 = try median { _ = try detector.detect(rgb: small1.pixels, width: small1.width, height: small1.height) }
        let detect4 = try median { _ = try detector.detect(rgb: small4.pixels, width: small4.width, height: small4.height) }
        let faces1 = try detector.detect(rgb: small1.pixels, width: small1.width, height: small1.height).map { $0.box.scaled(by: 1 / factor) }
        let faces4 = try detector.detect(rgb: small4.pixels, width: small4.width, height: small4.height).map { $0.box.scaled(by: 1 / factor) }
        // Following between detections, on consecutive frames as in a stream.
        func followCost(_ frame: VideoFrame) throws -> Double {
            var s = settings
            s.detectEvery = 1_000_000
            let tracker = FaceTracker(settings: s, detector: detector)
            _ = tracker.update(frame)
            var i = 1
            return median {
                let f = VideoFrame(width: frame.width, height: frame.height, pixels: frame.pixels,
                                   pts: MediaTime(nanoseconds: Int64(i) * 33_333_333), sequence: i, arrivalNanos: 0)
                i += 1
                _ = tracker.update(f)
            }
        }
        let follow1 = try followCost(one), follow4 = try followCost(four)
        let region = crop.region(for: faces1.first ?? FaceBox(x: 500, y: 200, width: 250, height: 250))
        var sample: [UInt8] = []
        let cropMs = median { sample = crop.sample(one, region: region) }
        let fhogMs = try median { _ = try fhog.extract(crop: sample) }
        var changed = sample
        for i in stride(from: 0, to: changed.count, by: 7) { changed[i] = changed[i] &+ 9 }
        let patch = PastePatch(region: region, original: sample, restored: changed)
        let pasteMs = median { var f = one; paste.paste([patch], into: &f) }
        let mfccPerSecond = try MFCC.millisecondsPerAudioSecond(seconds: 10, repeats: 3)

        // A detection round between whole-frame scans looks in a window around each face.
        func aroundFaces(_ image: (pixels: [UInt8], width: Int, height: Int), _ faces: [FaceBox]) throws -> Double {
            let windows = faces.compactMap { LocalDetection.window(around: $0.scaled(by: factor), imageWidth: image.width, imageHeight: image.height) }
            let crops = windows.map { LocalDetection.crop(image.pixels, width: image.width, $0) }
            return try median { for (w, c) in zip(windows, crops) { _ = try detector.detect(rgb: c, width: w.width, height: w.height) } }
        }
        let local1 = try aroundFaces(small1, faces1), local4 = try aroundFaces(small4, faces4)

        let settings0 = FaceTracker.Settings()
        let every = settings0.detectEvery, fullEvery = max(settings0.fullScanEvery, every)
        func perFrame(faces: Int, detect: Double, local: Double, follow: Double) -> Double {
            // Per `fullEvery` frames: one whole-frame round, the other rounds around the faces.
            let rounds = Double(fullEvery) / Double(every)
            return (downscale + (detect + (rounds - 1) * local) / rounds) / Double(every) + follow * Double(every - 1) / Double(every)
                + Double(faces) * (cropMs + fhogMs + pasteMs) + mfccPerSecond / 30
        }
        let budget1 = perFrame(faces: 1, detect: detect1, local: local1, follow: follow1)
        let budget4 = perFrame(faces: 4, detect: detect4, local: local4, follow: follow4)
        print(String(format: "downscale 1280×720 → %d×%d        %7.2f", small1.width, small1.height, downscale))
        print(String(format: "HOG detection at %d px, 1 face        %7.2f  (%d found)", small1.width, detect1, faces1.count))
        print(String(format: "HOG detection at %d px, 4 faces       %7.2f  (%d found)", small4.width, detect4, faces4.count))
        print(String(format: "HOG detection around the faces          %7.2f  1 face, %.2f  4 faces (window 2× the face)", local1, local4))
        print(String(format: "tracker update between detections     %7.2f  1 face, %.2f  4 faces (dlib correlation tracker)", follow1, follow4))
        print(String(format: "crop 256² (bilinear)                   %7.2f per face", cropMs))
        print(String(format: "FHOG 64×64×31                          %7.2f per face", fhogMs))
        print(String(format: "feathered paste-back                   %7.2f per face", pasteMs))
        print(String(format: "MFCC (80 coefficients)                 %7.2f per second of audio", mfccPerSecond))
        print(String(format: "front end per 720p frame, detection every %d frames (whole frame every %d): 1 face %.2f ms = %.0f %% of 33.3 ms; 4 faces %.2f ms = %.0f %%",
                     every, fullEvery, budget1, budget1 / 33.33 * 100, budget4, budget4 / 33.33 * 100))
    }

    private func decodeFrames(_ path: String) throws -> [VideoFrame] {
        let input = try InputPipeline(source: SourceSpec(parsing: path), options: InputOptions(live: false))
        try input.start()
        _ = try input.waitForStreams(timeout: 10)
        var frames: [VideoFrame] = []
        while let f = input.video.pop() { frames.append(f) }
        input.stop()
        return frames
    }

    /// Nearest-neighbour placement of `tiles`×`tiles` copies of `frame` into 1280×720.
    private func composeHD(_ frame: VideoFrame, tiles: Int) -> VideoFrame {
        let W = 1280, H = 720
        var px = [UInt8](repeating: 0, count: W * H * 3)
        let tileW = W / tiles, tileH = H / tiles
        let s = min(Double(tileW) / Double(frame.width), Double(tileH) / Double(frame.height))
        let w = Int(Double(frame.width) * s), h = Int(Double(frame.height) * s)
        for ty in 0..<tiles {
            for tx in 0..<tiles {
                let ox = tx * tileW + (tileW - w) / 2, oy = ty * tileH + (tileH - h) / 2
                for y in 0..<h {
                    let sy = min(frame.height - 1, Int(Double(y) / s))
                    for x in 0..<w {
                        let sx = min(frame.width - 1, Int(Double(x) / s))
                        let d = ((oy + y) * W + ox + x) * 3, o = (sy * frame.width + sx) * 3
                        px[d] = frame.pixels[o]; px[d + 1] = frame.pixels[o + 1]; px[d + 2] = frame.pixels[o + 2]
                    }
                }
            }
        }
        return VideoFrame(width: W, height: H, pixels: px, pts: .zero, sequence: 0, arrivalNanos: 0)
    }
}
